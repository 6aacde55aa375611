package bot

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// approvalNotice is a composed approval request for Jane, blocked by the
// agent's budget.
func approvalNotice() plusone.ComposedNotice {
	e := plusone.LedgerEntry{ID: 7, RequestID: 7, Gesture: "free_express_shipping", Title: "Free express shipping",
		Kind: "shipping", Value: 15_00, Currency: "USD", CustomerID: 42, Agent: "U0ANA",
		Status: plusone.StatusPendingApproval, Reason: "needs a supervisor's approval: agent budget: $4 left of $90 today",
		Blocking: []string{"agent budget: $4 left of $90 today"}, By: "U0ANA", CreatedAt: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
	return plusone.ComposedNotice{Kind: plusone.NoticeApprovalRequest, Channel: "C0SUPERVISORS", First: e, Entry: e,
		Customer: plusone.Customer{ID: 42, Name: "Jane Doe"}}
}

// A notice is posted to its channel and thread, or replaces the message
// it names; the same through Slack's client and the terminal.
func TestSendNotice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFakeSlack(t, map[string]http.HandlerFunc{
		"chat.postMessage": answer(`{"ok":true,"channel":"C0SUPERVISORS","ts":"1.1"}`),
		"chat.update":      answer(`{"ok":true,"channel":"C0SUPERVISORS","ts":"1.1","text":"x"}`),
	})
	c := f.client()
	n := approvalNotice()
	if ts, err := c.SendNotice(ctx, n); err != nil || ts != "1.1" {
		t.Fatalf("SendNotice = %q, %v", ts, err)
	}
	decided := n
	decided.Kind, decided.ReplaceTS = plusone.NoticeApprovalDecided, "1.1"
	decided.Entry.Status, decided.Entry.By = plusone.StatusApproved, "U0SUP"
	if ts, err := c.SendNotice(ctx, decided); err != nil || ts != "1.1" {
		t.Fatalf("replacing SendNotice = %q, %v", ts, err)
	}
	reply := n
	reply.Kind, reply.Channel, reply.ThreadTS, reply.Entry = plusone.NoticeThreadOutcome, "C1", "111.1", decided.Entry
	if _, err := c.SendNotice(ctx, reply); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) != 3 {
		t.Fatalf("%d calls, want 3", len(f.calls))
	}
	post, update, thread := f.calls[0], f.calls[1], f.calls[2]
	if post.method != "chat.postMessage" || post.form.Get("channel") != "C0SUPERVISORS" || post.form.Get("thread_ts") != "" ||
		!strings.Contains(post.form.Get("blocks"), "agent budget: $4 left of $90 today") {
		t.Errorf("approval request: %s %v", post.method, post.form)
	}
	if update.method != "chat.update" || update.form.Get("ts") != "1.1" || update.form.Get("channel") != "C0SUPERVISORS" {
		t.Errorf("outcome: %s %v, want chat.update of 1.1", update.method, update.form)
	}
	if thread.method != "chat.postMessage" || thread.form.Get("channel") != "C1" || thread.form.Get("thread_ts") != "111.1" {
		t.Errorf("thread outcome: %s %v, want a reply in C1/111.1", thread.method, thread.form)
	}
}

func TestPrinterSendNotice(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := NewPrinter(&out)
	ctx := context.Background()
	n := approvalNotice()
	ts, err := p.SendNotice(ctx, n)
	if err != nil || ts != "local-1" {
		t.Fatalf("SendNotice = %q, %v", ts, err)
	}
	decided := n
	decided.Kind, decided.ReplaceTS = plusone.NoticeApprovalDecided, ts
	decided.Entry.Status, decided.Entry.By = plusone.StatusApproved, "U0SUP"
	if got, err := p.SendNotice(ctx, decided); err != nil || got != ts {
		t.Fatalf("replacing notice = %q, %v; want %q", got, err, ts)
	}
	reply := n
	reply.Kind, reply.Channel, reply.ThreadTS = plusone.NoticeThreadOutcome, "C1", "111.1"
	reply.Entry = decided.Entry
	if _, err := p.SendNotice(ctx, reply); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"── new card local-1 in C0SUPERVISORS ─", "agent budget: $4 left of $90 today", "Jane Doe",
		"── updated card local-1 in C0SUPERVISORS ─",
		"── reply local-2 in thread 111.1 in C1 ─",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("printed notices lack %q:\n%s", want, got)
		}
	}
	if _, err := p.SendNotice(ctx, plusone.ComposedNotice{Kind: "postcard", Channel: "C1"}); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("unknown notice: %v, want EINVALID", err)
	}
}

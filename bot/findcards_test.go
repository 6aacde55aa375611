package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/bot/view"
)

// history is a channel's messages, served by conversations.history as
// Slack documents it: between oldest and latest, newest first, a page of
// limit, and a cursor to the next, older page.
type history struct {
	msgs []map[string]any // oldest first
}

func (h *history) add(at time.Time, ticket string) {
	m := map[string]any{"type": "message", "ts": slackTS(at), "text": "chatter"}
	if ticket != "" {
		m["metadata"] = map[string]any{"event_type": view.CardEventType, "event_payload": map[string]any{"ticket": ticket}}
	}
	h.msgs = append(h.msgs, m)
}

func micros(ts string) int64 {
	sec, frac, _ := strings.Cut(ts, ".")
	s, _ := strconv.ParseInt(sec, 10, 64)
	f, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return s*1e6 + f
}

func (h *history) serve(w http.ResponseWriter, r *http.Request) {
	incl := r.PostForm.Get("inclusive") == "1"
	oldest, latest := int64(0), time.Now().UnixMicro()+1
	if v := r.PostForm.Get("oldest"); v != "" {
		oldest = micros(v)
		if incl {
			oldest--
		}
	}
	if v := r.PostForm.Get("latest"); v != "" {
		latest = micros(v)
		if incl {
			latest++
		}
	}
	if v := r.PostForm.Get("cursor"); v != "" {
		latest = micros(v)
	}
	limit, _ := strconv.Atoi(r.PostForm.Get("limit"))
	var page []map[string]any
	for i := len(h.msgs) - 1; i >= 0; i-- {
		if us := micros(h.msgs[i]["ts"].(string)); us > oldest && us < latest {
			page = append(page, h.msgs[i])
		}
	}
	resp := map[string]any{"ok": true, "has_more": len(page) > limit}
	if len(page) > limit {
		page = page[:limit]
		resp["response_metadata"] = map[string]any{"next_cursor": page[limit-1]["ts"]}
	}
	resp["messages"] = page
	_ = json.NewEncoder(w).Encode(resp)
}

// FindCards reads forward from since, page after page, past any number of
// messages, and stops once every card is found.
func TestFindCards(t *testing.T) {
	t.Parallel()
	now := time.Now()
	since := now.Add(-20 * time.Minute)
	h := &history{}
	h.add(since.Add(-time.Minute), "zendesk:1") // before since: not this attempt's
	h.add(since.Add(10*time.Second), "zendesk:1")
	for i := range 3000 { // a busy channel after the attempt
		h.add(since.Add(time.Minute+time.Duration(i)*100*time.Millisecond), "")
	}
	h.add(since.Add(15*time.Minute), "zendesk:2")
	f := newFakeSlack(t, map[string]http.HandlerFunc{"conversations.history": h.serve})
	c := f.client()
	pages := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.calls)
	}

	found, err := c.FindCards(context.Background(), "C1", []string{"zendesk:1"}, since)
	if err != nil {
		t.Fatal(err)
	}
	if want := slackTS(since.Add(10 * time.Second)); found["zendesk:1"] != want {
		t.Errorf("found %v, want zendesk:1 at %s", found, want)
	}
	if n := pages(); n != 1 {
		t.Errorf("the card right after since took %d pages; want 1, however busy the channel after", n)
	}

	found, err = c.FindCards(context.Background(), "C1", []string{"zendesk:1", "zendesk:2", "zendesk:3"}, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found["zendesk:2"] != slackTS(since.Add(15*time.Minute)) {
		t.Errorf("found %v, want zendesk:1 and zendesk:2", found)
	}
	// 3,000 messages at 200 a page, plus the windows' first pages.
	if n := pages() - 1; n < 3000/200 {
		t.Errorf("read %d pages; every message after since must be read", n)
	}
	for _, call := range f.calls {
		if call.form.Get("limit") != "200" || call.form.Get("include_all_metadata") != "1" {
			t.Errorf("history read with %v", call.form)
		}
	}
}

package prompts

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func TestNoteThroughAnOpenAICompatibleServer(t *testing.T) {
	t.Parallel()
	var got struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	fail := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-test" {
			t.Errorf("request %s auth %q", r.URL.Path, r.Header.Get("Authorization"))
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
		if fail {
			w.WriteHeader(500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",
			"content":"  \"Dear Maya, we loved packing your roof rack.\nThank you for being with us.\"  "},"finish_reason":"stop"}]}`))
	}))
	defer srv.Close()
	d := New("sk-test", srv.URL+"/v1", "small-model", nil)
	if !d.Enabled() {
		t.Fatal("a base URL enables the model")
	}
	facts := NoteFacts{FirstName: "Maya", Since: "March 2026", Products: []string{"Roof rack"}, Preferences: []string{"contact: email"},
		Reason: "her order was late"}
	text, byModel, err := d.Note(context.Background(), facts)
	if err != nil || !byModel || text != "Dear Maya, we loved packing your roof rack. Thank you for being with us." {
		t.Fatalf("draft = %q %v %v", text, byModel, err)
	}
	if got.Model != "small-model" || len(got.Messages) != 2 || got.Messages[0].Role != "system" ||
		!strings.Contains(got.Messages[1].Content, "Maya") || !strings.Contains(got.Messages[1].Content, "Roof rack") {
		t.Errorf("request = %+v", got)
	}
	fail = true
	text, byModel, err = d.Note(context.Background(), facts)
	if err == nil || byModel || text != RulesNote(facts) {
		t.Errorf("a failing model: %q %v %v", text, byModel, err)
	}
}

func TestRulesWithoutAModel(t *testing.T) {
	t.Parallel()
	d := New("", "https://api.openai.com/v1", "gpt-4o-mini", nil)
	if d.Enabled() {
		t.Fatal("no key and OpenAI's URL: rules only")
	}
	v := plusone.CustomerView{Customer: plusone.Customer{Name: "Maya Chen", CreatedAt: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		Orders: []plusone.OrderRecord{{Order: plusone.Order{Items: []plusone.LineItem{{Title: "Roof rack"}}}}}}
	text, byModel, err := d.Note(context.Background(), FactsOf(v, Occasion{}))
	if err != nil || byModel || text != "Dear Maya, thank you for choosing us since March 2026. We hope you are enjoying your Roof rack. It is a pleasure to have you with us." {
		t.Errorf("rules draft = %q %v %v", text, byModel, err)
	}
	if got := clean(strings.Repeat("word ", 300)); len([]rune(got)) != maxDraft {
		t.Errorf("long answer cut to %d", len([]rune(got)))
	}
}

func TestOccasionOf(t *testing.T) {
	sig := func(kinds ...plusone.SignalKind) []plusone.Signal {
		var out []plusone.Signal
		for _, k := range kinds {
			out = append(out, plusone.Signal{Kind: k})
		}
		return out
	}
	tests := []struct {
		name          string
		signals       []plusone.Signal
		tier          plusone.Tier
		reason, sorry string // substrings; sorry "" = no apology
	}{
		{"late order comes first", sig(plusone.SignalRepeatContact, plusone.SignalDelayedOrder), plusone.TierAdvocate, "order was late", "kept you waiting"},
		{"low satisfaction", sig(plusone.SignalLowCSAT), plusone.TierLoyal, "fell short", "fell short last time"},
		{"repeat contact", sig(plusone.SignalRepeatContact, plusone.SignalLongWait), plusone.TierNew, "several times", "more than once"},
		{"long wait", sig(plusone.SignalLongWait), plusone.TierNew, "waited long", "waited so long"},
		{"signals that need no apology fall back to the tier", sig(plusone.SignalBigSpender, plusone.SignalAbandonedCart), plusone.TierLoyal, "loyal customer", ""},
		{"advocate", nil, plusone.TierAdvocate, "recommending us", ""},
		{"anyone else", nil, plusone.TierSatisfied, "for her order", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := OccasionOf(tt.signals, tt.tier)
			if !strings.Contains(o.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", o.Reason, tt.reason)
			}
			if (tt.sorry == "") != (o.Apology == "") || !strings.Contains(o.Apology, tt.sorry) {
				t.Errorf("Apology = %q, want %q", o.Apology, tt.sorry)
			}
			draft := RulesNote(FactsOf(plusone.CustomerView{Customer: plusone.Customer{Name: "Maya Chen"}}, o))
			if !strings.Contains(draft, o.Apology) || !strings.HasPrefix(draft, "Dear Maya,") {
				t.Errorf("rules draft %q does not start with her name or lacks the apology %q", draft, o.Apology)
			}
		})
	}
}

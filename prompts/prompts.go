// Package prompts holds plusone's prompt templates and the LLM drafter.
// A language model (any OpenAI-compatible endpoint) may word things for
// agents — the text of a handwritten note — but never decides anything:
// the policy grants, refuses or sends for approval before any prompt is
// written. Without a model, or when it fails, a plain draft from rules
// stands in.
package prompts

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/plusone-hq/plusone/metrics"

	"github.com/plusone-hq/plusone"
)

//go:embed note_system.tmpl
var noteSystem string

//go:embed note_user.tmpl
var noteUser string

// maxDraft bounds a draft's length in characters.
const maxDraft = 600

// NoteFacts are what a note may draw on: nothing internal.
type NoteFacts struct {
	FirstName   string
	Since       string   // "March 2026"
	Products    []string // favourite or recent products
	Preferences []string // "contact: email, mornings"
	Reason      string   // "to apologise that her order was late", "to thank her for being a loyal customer"
	Apology     string   // the rules' draft's apology, in her words; "" for none
}

// Drafter drafts texts for agents.
type Drafter struct {
	// Metrics counts the model's calls, tokens and latency; nil counts
	// nothing.
	Metrics *metrics.Metrics

	client  *openai.Client // nil: rules only
	model   string
	timeout time.Duration
	user    *template.Template
}

// New returns a drafter for an OpenAI-compatible endpoint; with neither a
// key nor a base URL other than OpenAI's it drafts from rules only.
func New(apiKey, baseURL, model string, httpClient *http.Client) *Drafter {
	d := &Drafter{model: model, timeout: 15 * time.Second,
		user: template.Must(template.New("note").Funcs(template.FuncMap{"join": strings.Join}).Parse(noteUser))}
	if apiKey == "" && (baseURL == "" || strings.HasPrefix(baseURL, "https://api.openai.com")) {
		return d
	}
	cfg := openai.DefaultConfig(apiKey)
	if baseURL != "" {
		cfg.BaseURL = baseURL
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: d.timeout}
	}
	cfg.HTTPClient = httpClient
	d.client = openai.NewClientWithConfig(cfg)
	return d
}

// Enabled reports whether a model drafts (else rules do).
func (d *Drafter) Enabled() bool { return d.client != nil }

// Note drafts a handwritten note. byModel says whether the model wrote it;
// err reports why it did not when it was asked to (the rules' draft is
// returned all the same).
func (d *Drafter) Note(ctx context.Context, f NoteFacts) (draft string, byModel bool, err error) {
	fallback := RulesNote(f)
	if d.client == nil {
		return fallback, false, nil
	}
	var prompt strings.Builder
	if err := d.user.Execute(&prompt, f); err != nil {
		return fallback, false, fmt.Errorf("note prompt: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	start := time.Now()
	resp, err := d.client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model: d.model, MaxCompletionTokens: 200, Temperature: 0.7,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: noteSystem},
			{Role: openai.ChatMessageRoleUser, Content: prompt.String()},
		},
	})
	d.Metrics.LLMCall(time.Since(start), resp.Usage.PromptTokens, resp.Usage.CompletionTokens, err)
	if err != nil {
		return fallback, false, fmt.Errorf("draft a note with %s: %w", d.model, err)
	}
	if len(resp.Choices) == 0 {
		return fallback, false, fmt.Errorf("draft a note with %s: no answer", d.model)
	}
	text := clean(resp.Choices[0].Message.Content)
	if text == "" {
		return fallback, false, fmt.Errorf("draft a note with %s: empty answer", d.model)
	}
	return text, true, nil
}

var _ plusone.NoteDrafter = (*Drafter)(nil)

// DraftNote drafts a handwritten note to the customer of v on the occasion
// her signals make (Note with FactsOf and OccasionOf).
func (d *Drafter) DraftNote(ctx context.Context, v plusone.CustomerView, signals []plusone.Signal) (string, bool, error) {
	return d.Note(ctx, FactsOf(v, OccasionOf(signals, v.Customer.Profile.Tier)))
}

// RulesNote is the draft without a model.
func RulesNote(f NoteFacts) string {
	name := f.FirstName
	if name == "" {
		name = "there"
	}
	s := fmt.Sprintf("Dear %s, thank you for choosing us", name)
	if f.Since != "" {
		s += " since " + f.Since
	}
	s += "."
	if f.Apology != "" {
		s += " " + f.Apology
	}
	if len(f.Products) > 0 {
		s += fmt.Sprintf(" We hope you are enjoying your %s.", f.Products[0])
	}
	return s + " It is a pleasure to have you with us."
}

// clean trims a model's answer to one short paragraph without quotes.
func clean(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Trim(s, "\"“”' ")
	if utf8.RuneCountInString(s) > maxDraft {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:maxDraft-1])) + "…"
	}
	return s
}

// FactsOf gathers what a note may say about a customer from her view.
func FactsOf(v plusone.CustomerView, o Occasion) NoteFacts {
	f := NoteFacts{Reason: o.Reason, Apology: o.Apology}
	if fields := strings.Fields(v.Customer.Name); len(fields) > 0 {
		f.FirstName = fields[0]
	}
	if !v.Customer.CreatedAt.IsZero() {
		f.Since = v.Customer.CreatedAt.Format("January 2006")
	}
	for _, o := range v.Orders {
		for _, it := range o.Items {
			if len(f.Products) < 3 && it.Title != "" {
				f.Products = append(f.Products, it.Title)
			}
		}
	}
	for _, p := range v.Preferences {
		if len(f.Preferences) < 3 {
			f.Preferences = append(f.Preferences, p.Key+": "+p.Value)
		}
	}
	return f
}

// Occasion is why a note is sent: Reason for the model's prompt, and an
// apology the rules' draft says in the customer's words ("" for none).
type Occasion struct {
	Reason  string
	Apology string
}

// OccasionOf says why a note is sent, from what the customer went through:
// the first of her signals that calls for an apology, else her tier.
func OccasionOf(signals []plusone.Signal, tier plusone.Tier) Occasion {
	apologies := []struct {
		kind plusone.SignalKind
		o    Occasion
	}{
		{plusone.SignalDelayedOrder, Occasion{"to apologise that her order was late",
			"We are sorry your order kept you waiting."}},
		{plusone.SignalLowCSAT, Occasion{"to apologise that her last experience with us fell short",
			"We are sorry we fell short last time."}},
		{plusone.SignalRepeatContact, Occasion{"to apologise that she had to contact us several times",
			"We are sorry you had to reach out to us more than once."}},
		{plusone.SignalLongWait, Occasion{"to apologise that she waited long for an answer",
			"We are sorry you waited so long for an answer."}},
	}
	for _, a := range apologies {
		if plusone.Has(signals, a.kind) {
			return a.o
		}
	}
	switch tier {
	case plusone.TierAdvocate:
		return Occasion{Reason: "to thank her for recommending us and being one of our best customers"}
	case plusone.TierLoyal:
		return Occasion{Reason: "to thank her for being a loyal customer"}
	}
	return Occasion{Reason: "to thank her for her order"}
}

// Package prompts holds plusone's prompt templates and the model client
// that uses them. A language model (any OpenAI-compatible endpoint: OpenAI,
// Azure OpenAI, Ollama, vLLM) words things for agents — the reasons of a
// card's suggestions in an order it chooses, a short note to the customer,
// a reply draft — but never decides anything: the policy offers the
// gestures before any prompt is written, and applies again to what comes
// back (plusone.Personalize, plusone.Guard). Without a model, or when it
// fails, the rules' card and drafts stand.
//
// The prompts are embedded templates, versioned in their first line; a
// change of a template changes the rendered prompts' golden files
// (testdata, go test ./prompts -update) and the cache keys.
package prompts

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"text/template"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/metrics"
)

// The templates and their versions: a version is part of every cache key.
var (
	//go:embed card_system.tmpl
	cardSystem string
	//go:embed card_user.tmpl
	cardUser string
	//go:embed reply_system.tmpl
	replySystem string
	//go:embed reply_user.tmpl
	replyUser string
)

// Versions of the prompts, in their templates' first lines.
const (
	CardVersion  = "card/1"
	ReplyVersion = "reply/1"
)

// Bounds of what the model is asked for.
const (
	cardCompletionTokens  = 400
	replyCompletionTokens = 500
	// DefaultTimeout is PLUSONE_LLM_TIMEOUT's default.
	DefaultTimeout = 4 * time.Second
)

// Why a call gave nothing usable; Outcome names them for metrics.
var (
	ErrTimeout = errors.New("the model did not answer in time")
	ErrRefusal = errors.New("the model refused")
	ErrInvalid = errors.New("the model's answer is not the JSON asked for")
)

// Outcome is the metrics label of a call's result: ok, timeout, refusal,
// invalid or error.
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrRefusal):
		return "refusal"
	case errors.Is(err, ErrInvalid):
		return "invalid"
	}
	return "error"
}

// Drafter asks the model. It is safe for concurrent use.
type Drafter struct {
	// Metrics counts the model's calls, tokens and latency; nil counts
	// nothing.
	Metrics *metrics.Metrics
	// Timeout bounds each call (PLUSONE_LLM_TIMEOUT); zero is
	// DefaultTimeout.
	Timeout time.Duration

	client *openai.Client // nil: rules only
	model  string
	tmpl   *template.Template
}

// New returns a drafter for an OpenAI-compatible endpoint; with neither a
// key nor a base URL other than OpenAI's it calls nothing (Enabled false).
func New(apiKey, baseURL, model string, httpClient *http.Client) *Drafter {
	d := &Drafter{model: model, tmpl: template.Must(template.New("card_user").Parse(cardUser))}
	template.Must(d.tmpl.New("reply_user").Parse(replyUser))
	template.Must(d.tmpl.New("card_system").Parse(cardSystem))
	template.Must(d.tmpl.New("reply_system").Parse(replySystem))
	if apiKey == "" && (baseURL == "" || strings.HasPrefix(baseURL, "https://api.openai.com")) {
		return d
	}
	cfg := openai.DefaultConfig(apiKey)
	if baseURL != "" {
		cfg.BaseURL = baseURL
	}
	if httpClient == nil {
		// Each call's context bounds it (Timeout).
		httpClient = &http.Client{}
	}
	cfg.HTTPClient = httpClient
	d.client = openai.NewClientWithConfig(cfg)
	return d
}

// Enabled reports whether a model is configured.
func (d *Drafter) Enabled() bool { return d.client != nil }

// Prompt is a rendered prompt and what its answer may draw on.
type Prompt struct {
	Version      string
	System, User string
	// Guard is what the answer may repeat: the data the model saw, and the
	// amounts of the gestures offered or granted.
	Guard plusone.GuardInput
	// Offered are the ids the model may order (cards only).
	Offered []string
}

// Key identifies what the model is shown: the model, the prompt's version
// and its rendered text (the customer's state and the offered set).
func (d *Drafter) Key(p Prompt) string {
	h := sha256.New()
	for _, s := range []string{d.model, p.Version, p.System, p.User} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return p.Version + ":" + hex.EncodeToString(h.Sum(nil))
}

// WordingKey is the key of the card's prompt; "" when no model is
// configured, or the card has no ticket or nothing to offer (nothing worth
// a call). It implements plusone.WordingQueue.
func (d *Drafter) WordingKey(card *plusone.ContextCard) string {
	if !d.Enabled() || card == nil || card.Erased || card.Ticket.ID == "" || len(card.Suggestions) == 0 {
		return ""
	}
	p, err := d.CardPrompt(card)
	if err != nil {
		return ""
	}
	return d.Key(p)
}

var _ plusone.WordingQueue = (*Drafter)(nil)

// Usage is what a call cost.
type Usage struct {
	PromptTokens, CompletionTokens int
}

// Total is the call's tokens.
func (u Usage) Total() int64 { return int64(u.PromptTokens + u.CompletionTokens) }

// Estimate is the most a call of p can cost, in tokens, reserved from the
// day's budget before the call so that concurrent calls on any replica
// never spend past it: a token of a byte-level tokenizer covers at least
// one byte, so the prompt costs at most its bytes (plus the messages'
// framing), and the answer at most its bound. What the call did not use
// is given back after it.
func (p Prompt) Estimate() int64 {
	completion := cardCompletionTokens
	if p.Version == ReplyVersion {
		completion = replyCompletionTokens
	}
	return int64(len(p.System) + len(p.User) + messageFraming + completion)
}

// messageFraming bounds the tokens a chat request adds around its two
// messages (roles, separators).
const messageFraming = 16

// WordCard asks the model to order and word the card's offered gestures
// and a note (CardPrompt's p). The answer is parsed, not yet guarded or
// applied: the caller applies Guard and plusone.Personalize.
func (d *Drafter) WordCard(ctx context.Context, p Prompt) (plusone.Wording, Usage, error) {
	var w plusone.Wording
	schema := jsonschema.Definition{
		Type: jsonschema.Object,
		Properties: map[string]jsonschema.Definition{
			"suggestions": {Type: jsonschema.Array, Items: &jsonschema.Definition{
				Type: jsonschema.Object,
				Properties: map[string]jsonschema.Definition{
					"gesture": {Type: jsonschema.String, Enum: p.Offered, Description: "an id from the offered list"},
					"reason":  {Type: jsonschema.String, Description: "one short sentence for the agent"},
				},
				Required:             []string{"gesture", "reason"},
				AdditionalProperties: false,
			}},
			"note": {Type: jsonschema.String, Description: "a short personal note to the customer"},
		},
		Required:             []string{"suggestions", "note"},
		AdditionalProperties: false,
	}
	u, err := d.call(ctx, p, "card_wording", schema, cardCompletionTokens, &w)
	if err != nil {
		return plusone.Wording{}, u, fmt.Errorf("word a card with %s: %w", d.model, err)
	}
	return w, u, nil
}

// DraftReply asks the model for a reply draft (ReplyPrompt's p), not yet
// guarded.
func (d *Drafter) DraftReply(ctx context.Context, p Prompt) (string, Usage, error) {
	var a struct {
		Reply string `json:"reply"`
	}
	schema := jsonschema.Definition{
		Type:                 jsonschema.Object,
		Properties:           map[string]jsonschema.Definition{"reply": {Type: jsonschema.String, Description: "the draft reply"}},
		Required:             []string{"reply"},
		AdditionalProperties: false,
	}
	u, err := d.call(ctx, p, "reply_draft", schema, replyCompletionTokens, &a)
	if err != nil {
		return "", u, fmt.Errorf("draft a reply with %s: %w", d.model, err)
	}
	return strings.TrimSpace(a.Reply), u, nil
}

// call asks the model for JSON of schema and decodes it into v, counting
// the call in the metrics.
func (d *Drafter) call(ctx context.Context, p Prompt, name string, schema jsonschema.Definition, maxTokens int, v any) (Usage, error) {
	if d.client == nil {
		return Usage{}, errors.New("no model is configured")
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	resp, err := d.client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model: d.model, MaxCompletionTokens: maxTokens, Temperature: 0.4,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: p.System},
			{Role: openai.ChatMessageRoleUser, Content: p.User},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type:       openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: name, Schema: &schema, Strict: true},
		},
	})
	u := Usage{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}
	err = answer(ctx, resp, err, v)
	d.Metrics.LLMCall(time.Since(start), u.PromptTokens, u.CompletionTokens, Outcome(err))
	return u, err
}

// answer decodes a completion into v, or says why it cannot.
func answer(ctx context.Context, resp openai.ChatCompletionResponse, err error, v any) error {
	switch {
	case err != nil && (errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil):
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	case err != nil:
		return err
	case len(resp.Choices) == 0:
		return fmt.Errorf("%w: no choices", ErrInvalid)
	}
	c := resp.Choices[0]
	if c.Message.Refusal != "" || c.FinishReason == openai.FinishReasonContentFilter {
		return fmt.Errorf("%w: %q", ErrRefusal, c.Message.Refusal)
	}
	content := strings.TrimSpace(c.Message.Content)
	// Some local servers wrap JSON in a Markdown fence despite the schema.
	content = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(content, "```json"), "```"), "```")
	dec := json.NewDecoder(strings.NewReader(content))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: more than one JSON value", ErrInvalid)
	}
	return nil
}

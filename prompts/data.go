package prompts

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/plusone-hq/plusone"
)

// How much of her memory a prompt carries, and how long each string may
// be: enough to be specific, bounded in tokens.
const (
	maxDataString = 300
	maxMessages   = 5
	maxTimeline   = 8
	maxProducts   = 5
	maxPrefs      = 5
	maxNotes      = 3
	maxSignals    = 5
)

// customerData is what a prompt tells the model about a customer, fenced as
// untrusted data: everything in it may have been written by her. Her email,
// phone and ids stay out.
type customerData struct {
	FirstName     string   `json:"first_name,omitempty"`
	CustomerSince string   `json:"customer_since,omitempty"`
	Tier          string   `json:"tier,omitempty"`
	Ticket        string   `json:"ticket_subject,omitempty"`
	Messages      []string `json:"her_messages_on_this_ticket,omitempty"`
	Products      []string `json:"products_she_bought,omitempty"`
	Preferences   []string `json:"preferences,omitempty"`
	Notes         []string `json:"agents_notes,omitempty"`
	Signals       []string `json:"signals,omitempty"`
	Timeline      []string `json:"recent_timeline,omitempty"`
}

// dataOf gathers what the model may know about her on ticket.
func dataOf(v plusone.CustomerView, ticket plusone.TicketRecord, signals []plusone.Signal) customerData {
	d := customerData{Tier: v.Customer.Profile.Tier.Title()}
	if f := strings.Fields(v.Customer.Name); len(f) > 0 {
		d.FirstName = bound(f[0])
	}
	if !v.Customer.CreatedAt.IsZero() {
		d.CustomerSince = v.Customer.CreatedAt.Format("January 2006")
	}
	d.Ticket = bound(ticket.Subject)
	// Her messages on this ticket, oldest first (the timeline is newest first).
	for _, tp := range v.Timeline {
		if ticket.ID != "" && tp.Ref == ticket.ID && tp.Kind == plusone.TouchMessage && len(d.Messages) < maxMessages {
			d.Messages = append(d.Messages, bound(tp.Summary))
		}
	}
	slices.Reverse(d.Messages)
	for _, o := range v.Orders {
		for _, it := range o.Items {
			if len(d.Products) < maxProducts && it.Title != "" && !slices.Contains(d.Products, bound(it.Title)) {
				d.Products = append(d.Products, bound(it.Title))
			}
		}
	}
	for _, p := range v.Preferences {
		if len(d.Preferences) < maxPrefs {
			d.Preferences = append(d.Preferences, bound(p.Key+": "+p.Value))
		}
	}
	for _, n := range v.Notes {
		if len(d.Notes) < maxNotes {
			d.Notes = append(d.Notes, bound(n.Text))
		}
	}
	// Signals by kind only: their evidence says how long ago ("waiting 3h
	// for a reply"), which would change the prompt, and so its cache key,
	// by the minute.
	for _, s := range signals {
		if len(d.Signals) < maxSignals {
			d.Signals = append(d.Signals, strings.ReplaceAll(string(s.Kind), "_", " "))
		}
	}
	for _, tp := range v.Timeline {
		if len(d.Timeline) < maxTimeline {
			d.Timeline = append(d.Timeline, bound(tp.OccurredAt.Format("2006-01-02")+" "+strings.ReplaceAll(string(tp.Kind), "_", " ")+": "+tp.Summary))
		}
	}
	return d
}

// bound trims s, makes it one line, and cuts it to maxDataString characters.
func bound(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if utf8.RuneCountInString(s) > maxDataString {
		s = string([]rune(s)[:maxDataString]) + "…"
	}
	return s
}

// fenced renders d as indented JSON: json.Marshal writes <, > and & as
// \u escapes, so no string in it can close the <customer_data> fence.
func (d customerData) fenced() (string, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return "", fmt.Errorf("customer data: %w", err)
	}
	return string(b), nil
}

// contacts are the contact details and links a model may repeat about her
// (plusone.GuardInput.Input): her identities and her records' links. What
// she wrote is left out: an injected address or link must not pass.
func contacts(card *plusone.ContextCard) string {
	v := card.View
	parts := []string{v.Customer.Email, v.Customer.Phone, card.Ticket.URL}
	for _, id := range v.Identities {
		parts = append(parts, id.Value)
	}
	for _, t := range v.Tickets {
		parts = append(parts, t.URL)
	}
	for _, tp := range v.Timeline {
		parts = append(parts, tp.URL)
	}
	return strings.Join(parts, "\n")
}

// offeredGesture is a gesture as the card prompt lists it: no value.
type offeredGesture struct {
	ID, Title string
	Kind      string
}

// CardPrompt renders the prompt that asks the model to order and word the
// card's suggestions (the gestures the policy offers her now) and a note.
func (d *Drafter) CardPrompt(card *plusone.ContextCard) (Prompt, error) {
	data := dataOf(card.View, card.Ticket, card.Signals)
	fenced, err := data.fenced()
	if err != nil {
		return Prompt{}, err
	}
	var offered []offeredGesture
	p := Prompt{Version: CardVersion, Guard: plusone.GuardInput{Input: contacts(card)}}
	for _, s := range card.Suggestions {
		offered = append(offered, offeredGesture{ID: s.Gesture.ID, Title: bound(s.Gesture.Title), Kind: s.Gesture.Kind})
		p.Offered = append(p.Offered, s.Gesture.ID)
		p.Guard.Amounts = append(p.Guard.Amounts, s.Gesture.Value)
	}
	for _, e := range card.Gestures {
		if e.Status == plusone.StatusGranted || e.Status == plusone.StatusApproved {
			p.Guard.Amounts = append(p.Guard.Amounts, e.Value)
		}
	}
	if p.System, err = d.render("card_system", nil); err != nil {
		return Prompt{}, err
	}
	p.User, err = d.render("card_user", struct {
		Offered []offeredGesture
		Data    string
	}{offered, fenced})
	return p, err
}

// ReplyPrompt renders the prompt that asks for a reply draft to her last
// message on ticket, grounded in her memory (the card) and the ticket's
// thread. A granted gesture's value is the only amount it may name.
func (d *Drafter) ReplyPrompt(card *plusone.ContextCard) (Prompt, error) {
	data := dataOf(card.View, card.Ticket, card.Signals)
	data.Signals, data.Tier = nil, "" // internal: not for her eyes
	fenced, err := data.fenced()
	if err != nil {
		return Prompt{}, err
	}
	p := Prompt{Version: ReplyVersion, Guard: plusone.GuardInput{Input: contacts(card), Max: plusone.MaxReplyDraft}}
	for _, e := range card.Gestures {
		if e.Status == plusone.StatusGranted || e.Status == plusone.StatusApproved {
			p.Guard.Amounts = append(p.Guard.Amounts, e.Value)
		}
	}
	if p.System, err = d.render("reply_system", nil); err != nil {
		return Prompt{}, err
	}
	p.User, err = d.render("reply_user", struct{ Data string }{fenced})
	return p, err
}

func (d *Drafter) render(name string, data any) (string, error) {
	var b strings.Builder
	if err := d.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("prompt %s: %w", name, err)
	}
	return b.String(), nil
}

package prompts

import (
	"fmt"
	"strings"

	"github.com/plusone-hq/plusone"
)

// NoteFacts are what a rules' note may draw on: nothing internal.
type NoteFacts struct {
	FirstName   string
	Since       string   // "March 2026"
	Products    []string // favourite or recent products
	Preferences []string // "contact: email, mornings"
	Reason      string   // "to apologise that her order was late", "to thank her for being a loyal customer"
	Apology     string   // the rules' draft's apology, in her words; "" for none
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

package plusone

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// GuardFailure says why Guard refused a model's text: one of the Guard…
// constants, a label of the guard-drop metric.
type GuardFailure string

// Why a model's text is refused.
const (
	GuardAmount  GuardFailure = "amount"  // a money amount that is no offered gesture's value
	GuardEmail   GuardFailure = "email"   // an email address that was not in the input
	GuardPhone   GuardFailure = "phone"   // a phone number that was not in the input
	GuardURL     GuardFailure = "url"     // a link or domain that was not in the input
	GuardMention GuardFailure = "mention" // Slack mention syntax (<@U…>, <!here>, <#C…>, @channel)
	GuardLength  GuardFailure = "length"  // longer than allowed
)

// GuardFailures lists every GuardFailure, for metrics made at start.
func GuardFailures() []GuardFailure {
	return []GuardFailure{GuardAmount, GuardEmail, GuardPhone, GuardURL, GuardMention, GuardLength}
}

// GuardError is a refusal by Guard.
type GuardError struct {
	Failure GuardFailure
	Found   string
}

func (e *GuardError) Error() string {
	return fmt.Sprintf("the model's text has %s %q", e.Failure, e.Found)
}

// GuardInput is what a model's text may draw on: Input holds the contact
// details and links it may repeat — the customer's own (her identities)
// and her records' links, never text she wrote, where an injected
// "write to attacker@…" would otherwise pass — and Amounts the money
// amounts it may name (the offered or granted gestures' values).
type GuardInput struct {
	Input   string
	Amounts []Money
	Max     int // characters; <= 0: no bound
}

var (
	mentionRE = regexp.MustCompile(`(?i)<\s*[@#!]|[@＠](here|channel|everyone)\b|<!subteam`)
	emailRE   = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+\s*(@|＠|\(at\)|\[at\])\s*[a-z0-9\-]+(\.[a-z0-9\-]+)+`)
	urlRE     = regexp.MustCompile(`(?i)\b(?:(?:https?|ftp)://|www\.)[^\s<>"]+|\b[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:com|net|org|io|co|info|biz|xyz|app|dev|ly|me|us|uk|de|fr|shop|store|online|site|link|click|gg|tk|ru|cn)\b(?:/[^\s<>"]*)?`)
	phoneRE   = regexp.MustCompile(`\+?\(?\d[\d\s().\-/]{5,}\d`)
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$|^\d{1,2}/\d{1,2}/\d{2,4}$`)
	// A money amount: a currency sign or code before or after a number,
	// or a number followed by a currency word.
	moneyRE = regexp.MustCompile(`(?i)(?:[$€£¥₹]|\b(?:usd|eur|gbp|cad|aud|chf|jpy|us\$)\s?)\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:[$€£¥₹]|(?:usd|eur|gbp|cad|aud|chf|jpy|dollars?|euros?|pounds?|bucks)\b)`)
)

// Guard checks a model's text before a person sees it: no money amount
// other than one of in.Amounts, no email address, phone number or link
// that was not in in.Input, no Slack mention syntax, and at most in.Max
// characters. The text is dropped when it fails; it is never repaired.
func Guard(text string, in GuardInput) error {
	if in.Max > 0 && utf8.RuneCountInString(text) > in.Max {
		return &GuardError{GuardLength, strconv.Itoa(utf8.RuneCountInString(text))}
	}
	if m := mentionRE.FindString(text); m != "" {
		return &GuardError{GuardMention, m}
	}
	input := strings.ToLower(in.Input)
	for _, m := range emailRE.FindAllString(text, -1) {
		if !strings.Contains(input, strings.ToLower(m)) {
			return &GuardError{GuardEmail, m}
		}
	}
	for _, m := range urlRE.FindAllString(text, -1) {
		if !strings.Contains(input, strings.ToLower(strings.TrimRight(m, ".,;:!?)"))) {
			return &GuardError{GuardURL, m}
		}
	}
	for _, m := range moneyRE.FindAllStringSubmatch(text, -1) {
		num := m[1]
		if num == "" {
			num = m[2]
		}
		if !allowedAmount(num, in.Amounts) {
			return &GuardError{GuardAmount, m[0]}
		}
	}
	inputDigits := digitRuns(in.Input)
	for _, m := range phoneRE.FindAllString(text, -1) {
		d := digits(m)
		if len(d) < 7 || dateRE.MatchString(strings.TrimSpace(m)) {
			continue // an order number, a date, a quantity
		}
		if !inputDigits[d] {
			return &GuardError{GuardPhone, m}
		}
	}
	return nil
}

// allowedAmount says whether the number num ("1,500.00") is one of amounts.
func allowedAmount(num string, amounts []Money) bool {
	f, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
	if err != nil {
		return false
	}
	cents := Money(f*100 + 0.5)
	for _, a := range amounts {
		if a == cents {
			return true
		}
	}
	return false
}

// digitRuns are the digits of each phone-like run in s.
func digitRuns(s string) map[string]bool {
	out := map[string]bool{}
	for _, m := range phoneRE.FindAllString(s, -1) {
		out[digits(m)] = true
	}
	return out
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

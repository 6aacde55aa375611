// Package webhooktest is the suite every webhook integration must pass,
// as historytest is for History clients: Run checks Verify (a good
// signature passes; a wrong, tampered, missing, stale or unconfigured one is
// refused with EUNAUTHORIZED, which the intake answers 401) and Parse (every
// testdata payload, signed as the vendor signs it, verifies and parses, and
// its redelivery carries the same dedupe key); Fuzz fuzzes Parse from the
// testdata payloads.
//
// A vendor's test file describes it once in a Vendor and calls both:
//
//	func TestWebhook(t *testing.T) { webhooktest.Run(t, vendor()) }
//	func FuzzParse(f *testing.F)   { webhooktest.Fuzz(f, vendor()) }
package webhooktest

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

// Vendor describes a webhook integration to Run and Fuzz.
type Vendor struct {
	// Source is the integration's source, which every event carries.
	Source plusone.Source
	// New returns the integration with the webhook secret given.
	New func(secret string) plusone.Integration
	// Sign signs a request as the vendor does (the integration's Sign).
	Sign func(h http.Header, secret string, body []byte, at time.Time)
	// Secret is a secret of the vendor's shape; Now the time requests are
	// signed and verified at.
	Secret string
	Now    time.Time
	// Body is a small request body for the Verify cases.
	Body []byte
	// MaxSkew is how far from now a signed timestamp may be. Zero means
	// the vendor signs no time, so that a delivery verifies at any age.
	MaxSkew time.Duration
	// MaxAge, with MaxSkew zero, is how old a delivery may be by the send
	// time the vendor gives without signing it; zero means any age.
	MaxAge time.Duration
	// TokenOnly is set when the vendor sends a shared token instead of a
	// signature of the body: any body verifies.
	TokenOnly bool
	// Informational are headers Sign sets that Verify does not need (a
	// send time that is not signed); every other one it sets is required.
	Informational []string
	// EmptySecret is part of the error of an integration without a secret.
	EmptySecret string
	// Cases are the vendor's own Verify cases, run after the common ones.
	Cases []Case
	// Hints returns the hints a delivery of the testdata file name is made
	// with (the first for Run, all as fuzz seeds), and Header the headers
	// a hint gives besides the signature: the event or topic a file name
	// gives, an invocation id. Both may be nil: one empty hint, no header.
	Hints  func(name string) []string
	Header func(hint string) http.Header
	// Seeds are further bodies to fuzz from (with an empty hint), such as
	// the vendor's body template.
	Seeds [][]byte
	// Replies is set when some deliveries are answered, not stored (a
	// ping): such a delivery must carry no events.
	Replies bool
	// Anonymous reports an event that may name no customer (a refund
	// that names only its order); nil when every event names one.
	Anonymous func(e plusone.Event) bool
	// Check, when set, checks each event Parse accepts further.
	Check func(t *testing.T, e plusone.Event)
}

// Case is one Verify case of a vendor.
type Case struct {
	Name string
	// Header is the request's headers; Body its body (Vendor.Body when
	// nil).
	Header http.Header
	Body   []byte
	// Secret is the integration's secret, Vendor.Secret when empty.
	Secret string
	// Want is part of the EUNAUTHORIZED message; "" when it is accepted.
	Want string
}

// Run runs the Verify and Parse tests every webhook integration must pass.
func Run(t *testing.T, v Vendor) {
	t.Run("verify", func(t *testing.T) {
		t.Parallel()
		for _, c := range append(v.commonCases(), v.Cases...) {
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				v.verify(t, c, v.Now)
			})
		}
	})
	if v.MaxSkew == 0 && v.MaxAge == 0 {
		t.Run("verify any age", func(t *testing.T) {
			t.Parallel()
			v.verify(t, Case{Header: v.signed(v.Secret, v.Body, v.Now)}, v.Now.Add(72*time.Hour))
		})
	}
	if v.MaxSkew == 0 && v.MaxAge > 0 {
		t.Run("verify up to its age", func(t *testing.T) {
			t.Parallel()
			v.verify(t, Case{Header: v.signed(v.Secret, v.Body, v.Now)}, v.Now.Add(v.MaxAge))
			v.verify(t, Case{Header: v.signed(v.Secret, v.Body, v.Now), Want: "stale delivery"}, v.Now.Add(v.MaxAge+time.Second))
		})
	}
	t.Run("verify missing each header", func(t *testing.T) {
		t.Parallel()
		signed := v.signed(v.Secret, v.Body, v.Now)
		if len(signed) == 0 {
			t.Fatal("Sign sets no header")
		}
		for name := range signed {
			if slices.ContainsFunc(v.Informational, func(s string) bool { return http.CanonicalHeaderKey(s) == name }) {
				continue
			}
			h := signed.Clone()
			h.Del(name)
			err := v.New(v.Secret).Verify(h, v.Body, v.Now)
			if err == nil || plusone.ErrorCode(err) != plusone.EUNAUTHORIZED ||
				!strings.Contains(strings.ToLower(plusone.ErrorMessage(err)), strings.ToLower("missing header "+name)) {
				t.Errorf("without %s: %v, want EUNAUTHORIZED naming the missing header", name, err)
			}
		}
	})
	t.Run("testdata", func(t *testing.T) {
		t.Parallel()
		for _, file := range eventtest.Testdata(t) {
			t.Run(file.Name, func(t *testing.T) {
				t.Parallel()
				v.parseAndRedeliver(t, file)
			})
		}
	})
}

// commonCases are the Verify cases of every vendor.
func (v Vendor) commonCases() []Case {
	tampered := append(bytes.Clone(v.Body), ' ')
	cs := []Case{
		{Name: "valid", Header: v.signed(v.Secret, v.Body, v.Now)},
		{Name: "wrong secret", Header: v.signed("another-"+v.Secret, v.Body, v.Now), Want: "does not match"},
		{Name: "no headers", Header: nil, Want: "missing header"},
		{Name: "empty secret", Secret: "-", Header: v.signed("", v.Body, v.Now), Want: v.EmptySecret},
	}
	if v.TokenOnly {
		cs = append(cs, Case{Name: "any body", Header: v.signed(v.Secret, v.Body, v.Now), Body: tampered})
	} else {
		cs = append(cs, Case{Name: "tampered body", Header: v.signed(v.Secret, v.Body, v.Now), Body: tampered, Want: "does not match"})
	}
	if v.MaxSkew > 0 {
		cs = append(cs,
			Case{Name: "edge of the window", Header: v.signed(v.Secret, v.Body, v.Now.Add(-v.MaxSkew))},
			Case{Name: "stale", Header: v.signed(v.Secret, v.Body, v.Now.Add(-v.MaxSkew-time.Second)), Want: "stale signature"},
			Case{Name: "future", Header: v.signed(v.Secret, v.Body, v.Now.Add(v.MaxSkew+time.Second)), Want: "in the future"},
		)
	}
	return cs
}

// signed returns the headers of body signed with secret at at.
func (v Vendor) signed(secret string, body []byte, at time.Time) http.Header {
	h := http.Header{}
	v.Sign(h, secret, body, at)
	return h
}

func (v Vendor) verify(t *testing.T, c Case, at time.Time) {
	t.Helper()
	secret := c.Secret
	switch secret {
	case "":
		secret = v.Secret
	case "-":
		secret = ""
	}
	body := c.Body
	if body == nil {
		body = v.Body
	}
	err := v.New(secret).Verify(c.Header, body, at)
	if c.Want == "" {
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		return
	}
	eventtest.AssertError(t, err, plusone.EUNAUTHORIZED, c.Want)
}

// hints returns the hints of the testdata file name.
func (v Vendor) hints(name string) []string {
	if v.Hints == nil {
		return []string{""}
	}
	return v.Hints(name)
}

// header returns the headers of hint.
func (v Vendor) header(hint string) http.Header {
	if v.Header == nil {
		return http.Header{}
	}
	return v.Header(hint)
}

// parseAndRedeliver signs file as the vendor would, verifies and parses
// it, and then delivers it again, signed later: same dedupe key, same
// events.
func (v Vendor) parseAndRedeliver(t *testing.T, file eventtest.File) {
	src := v.New(v.Secret)
	deliver := func(at time.Time) plusone.Delivery {
		t.Helper()
		h := v.header(v.hints(file.Name)[0])
		v.Sign(h, v.Secret, file.Body, at)
		if err := src.Verify(h, file.Body, at); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		d, err := src.Parse(h, file.Body)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		v.checkDelivery(t, d)
		return d
	}
	first := deliver(v.Now)
	again := deliver(v.Now.Add(time.Minute))
	if first.Reply == nil && first.DedupeKey == "" {
		t.Fatal("no dedupe key")
	}
	if again.DedupeKey != first.DedupeKey {
		t.Errorf("redelivery has dedupe key %q, want %q (a duplicate)", again.DedupeKey, first.DedupeKey)
	}
	if g, w := eventtest.JSON(t, again.Events), eventtest.JSON(t, first.Events); g != w {
		t.Errorf("redelivery parses differently:\n got: %s\nwant: %s", g, w)
	}
}

// Fuzz fuzzes Parse from every testdata payload with each of its hints,
// and from Seeds: it never panics, refuses only with EINVALID, and what it
// accepts has a dedupe key (or is a reply without events) and events with
// an id and the vendor's source that name their customer.
func Fuzz(f *testing.F, v Vendor) {
	for _, file := range eventtest.Testdata(f) {
		for _, hint := range v.hints(file.Name) {
			f.Add(hint, file.Body)
		}
	}
	for _, body := range v.Seeds {
		f.Add("", body)
	}
	src := v.New(v.Secret)
	f.Fuzz(func(t *testing.T, hint string, body []byte) {
		d, err := src.Parse(v.header(hint), body)
		if err != nil {
			if plusone.ErrorCode(err) != plusone.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		v.checkDelivery(t, d)
	})
}

// checkDelivery checks what every delivery Parse accepts must be.
func (v Vendor) checkDelivery(t *testing.T, d plusone.Delivery) {
	t.Helper()
	if d.Reply != nil {
		if !v.Replies {
			t.Fatalf("a reply from a vendor that gets none: %+v", d)
		}
		if len(d.Events) != 0 {
			t.Fatal("a reply carries events")
		}
		return
	}
	if d.DedupeKey == "" {
		t.Fatal("accepted a body with an empty dedupe key")
	}
	for _, e := range d.Events {
		if len(e.Customer.Identities(e.Source)) == 0 && (v.Anonymous == nil || !v.Anonymous(e)) {
			t.Fatalf("event %s names no customer", e.ID)
		}
		if e.ID == "" || e.Source != v.Source {
			t.Fatalf("event without an ID or of another source: %+v", e)
		}
		if v.Check != nil {
			v.Check(t, e)
		}
	}
}

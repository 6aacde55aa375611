package view

import (
	"strings"
	"testing"
)

func TestOfferValueRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o    OfferValue
		want string // the encoding, when it matters
	}{
		{OfferValue{CustomerID: 12, Gesture: "free_express_shipping", TicketKey: "zendesk:5158"},
			"c=12;g=free_express_shipping;t=zendesk:5158"},
		{OfferValue{CustomerID: 8, Gesture: "sticker"}, "c=8;g=sticker"},
		{OfferValue{CustomerID: 1, Gesture: "a;b=c%d", TicketKey: "generic:T=1;x"}, "c=1;g=a%3Bb%3Dc%25d;t=generic:T%3D1%3Bx"},
		{OfferValue{CustomerID: 1, Gesture: "gift wrap\n+ 🎉"}, "c=1;g=gift%20wrap%0A+%20%F0%9F%8E%89"},
		{OfferValue{CustomerID: 9223372036854775807, Gesture: "\xff\x00<&>\"'\\", TicketKey: "%41"}, ""},
		{OfferValue{CustomerID: 3, Gesture: "%zz", TicketKey: "shopify:gid://shopify/Order/1?x=1&y=2"}, ""},
	}
	for _, tt := range tests {
		s := EncodeOffer(tt.o)
		if tt.want != "" && s != tt.want {
			t.Errorf("EncodeOffer(%+v) = %q, want %q", tt.o, s, tt.want)
		}
		for _, r := range s {
			if r <= ' ' || r >= 0x7f {
				t.Errorf("%q holds %q: values are printable ASCII", s, r)
			}
		}
		got, err := DecodeOffer(s)
		if err != nil || got != tt.o {
			t.Errorf("%+v -> %q -> %+v, %v", tt.o, s, got, err)
		}
	}
}

func TestOfferValueLengthLimit(t *testing.T) {
	t.Parallel()
	// A ticket key too long is left out; the offer still works.
	o := OfferValue{CustomerID: 42, Gesture: "free_express_shipping", TicketKey: strings.Repeat(";", 1000)}
	s := EncodeOffer(o)
	if len(s) > maxButtonVal {
		t.Fatalf("value of %d characters", len(s))
	}
	if got, err := DecodeOffer(s); err != nil || got != (OfferValue{CustomerID: 42, Gesture: "free_express_shipping"}) {
		t.Errorf("got %+v, %v", got, err)
	}
	// A key that just fits is kept.
	base := len("c=42;g=free_express_shipping;t=")
	o.TicketKey = strings.Repeat("k", maxButtonVal-base)
	if s := EncodeOffer(o); len(s) != maxButtonVal {
		t.Errorf("a value of exactly %d characters was cut to %d", maxButtonVal, len(s))
	}
	o.TicketKey += "k"
	if got, _ := DecodeOffer(EncodeOffer(o)); got.TicketKey != "" {
		t.Error("a ticket key one too long was kept")
	}
	// A gesture too long for any button gives no value at all.
	if s := EncodeOffer(OfferValue{CustomerID: 1, Gesture: strings.Repeat("🎉", 200)}); s != "" {
		t.Errorf("EncodeOffer of a monstrous gesture = %d characters, want \"\"", len(s))
	}
}

func TestDecodeOfferRejects(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "c=0;g=x", "c=-1;g=x", "c=1", "g=x", "c=x;g=y", "c=1;g=", "c=1;g=a;g=b",
		"c=1;g=%zz", "c=1;g=a;junk", "c=1;g=a%", "c=99999999999999999999;g=a", `{"c":1,"g":"a"}`} {
		if o, err := DecodeOffer(bad); err == nil {
			t.Errorf("DecodeOffer(%q) = %+v, want an error", bad, o)
		}
	}
	// Fields a later version adds are ignored.
	if o, err := DecodeOffer("c=1;g=a;v=2;t=x"); err != nil || o != (OfferValue{CustomerID: 1, Gesture: "a", TicketKey: "x"}) {
		t.Errorf("got %+v, %v", o, err)
	}
}

func TestIsOfferAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id, gesture string
		ok          bool
	}{
		{"offer_gesture:free_express_shipping", "free_express_shipping", true},
		{OfferActionID("a:b"), "a:b", true},
		{"offer_gesture", "", true},
		{"offer_gesture:", "", true},
		{"offer_gestures", "", false},
		{"offer_gesture_x", "", false},
		{"approve_gesture", "", false},
		{"", "", false},
		{"add_note", "", false},
	}
	for _, tt := range tests {
		if g, ok := IsOfferAction(tt.id); g != tt.gesture || ok != tt.ok {
			t.Errorf("IsOfferAction(%q) = %q, %v; want %q, %v", tt.id, g, ok, tt.gesture, tt.ok)
		}
	}
}

// FuzzOffer: any offer encodes to printable ASCII within Slack's limit and
// reads back (without the ticket key when it had to go); anything decodes
// or fails.
func FuzzOffer(f *testing.F) {
	f.Add(int64(12), "free_express_shipping", "zendesk:5158")
	f.Add(int64(1), "a;b=c%", strings.Repeat("🎉", 700))
	f.Add(int64(-1), "", "")
	f.Fuzz(func(t *testing.T, id int64, gesture, ticket string) {
		o := OfferValue{CustomerID: id, Gesture: gesture, TicketKey: ticket}
		s := EncodeOffer(o)
		if len(s) > maxButtonVal {
			t.Fatalf("%d characters", len(s))
		}
		got, err := DecodeOffer(s)
		if id <= 0 || gesture == "" || s == "" {
			if err == nil && s != "" && (id <= 0 || gesture == "") {
				t.Errorf("%q decoded without a customer or gesture", s)
			}
			return
		}
		if err != nil || got.CustomerID != id || got.Gesture != gesture || (got.TicketKey != ticket && got.TicketKey != "") {
			t.Errorf("%+v -> %q -> %+v, %v", o, s, got, err)
		}
		_, _ = DecodeOffer(gesture)
	})
}

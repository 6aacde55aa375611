package slackchat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// envelope is an Events API request.
type envelope struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	TeamID    string          `json:"team_id"`
	EventID   string          `json:"event_id"`
	EventTime int64           `json:"event_time"`
	Event     json.RawMessage `json:"event"`
}

// message is the inner event of a message.
type message struct {
	Type     string `json:"type"`
	Subtype  string `json:"subtype"`
	Channel  string `json:"channel"`
	User     string `json:"user"`
	UserTeam string `json:"user_team"`
	Team     string `json:"team"`
	BotID    string `json:"bot_id"`
	AppID    string `json:"app_id"`
	Text     string `json:"text"`
	TS       string `json:"ts"`
	ThreadTS string `json:"thread_ts"`
}

// Answer is the body of answers that store nothing.
type Answer struct {
	OK      bool   `json:"ok"`
	Ignored string `json:"ignored,omitempty"`
}

// Challenge answers url_verification.
type Challenge struct {
	Challenge string `json:"challenge"`
}

// Kind tells what an Events API body is: "url_verification", the inner
// event's type ("message", "app_home_opened", "link_shared", …), or "" when
// it cannot tell. Whoever routes events uses it before Parse.
func Kind(body []byte) string {
	var e envelope
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	if e.Type != "event_callback" {
		return e.Type
	}
	var inner struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(e.Event, &inner) != nil {
		return ""
	}
	return inner.Type
}

// Parse turns a message in a customer channel into a chat touchpoint; it
// answers every other request without events.
func (s *Source) Parse(_ http.Header, body []byte) (plusone.Delivery, error) {
	var e envelope
	if err := decode(body, &e); err != nil {
		return plusone.Delivery{}, err
	}
	switch e.Type {
	case "url_verification":
		if e.Challenge == "" {
			return plusone.Delivery{}, webhook.Invalid(`field "challenge": required for url_verification`)
		}
		return plusone.Delivery{Reply: Challenge{Challenge: e.Challenge}}, nil
	case "event_callback":
	case "":
		return plusone.Delivery{}, webhook.Invalid(`field "type": required`)
	default:
		return ignore("envelope " + e.Type), nil
	}
	if e.EventID == "" {
		return plusone.Delivery{}, webhook.Invalid(`field "event_id": required`)
	}
	if len(e.Event) == 0 {
		return plusone.Delivery{}, webhook.Invalid(`field "event": required`)
	}
	var m message
	if err := decode(e.Event, &m); err != nil {
		return plusone.Delivery{}, fmt.Errorf("field \"event\": %w", err)
	}
	if m.Type != "message" {
		return ignore(m.Type + " event"), nil
	}
	switch {
	case m.BotID != "" || m.AppID != "" || m.Subtype == "bot_message":
		return ignore("bot message"), nil
	case m.Subtype != "" && m.Subtype != "thread_broadcast" && m.Subtype != "file_share":
		return ignore("message " + m.Subtype), nil
	case m.User == "" || m.Channel == "":
		return ignore("message without author or channel"), nil
	}
	who, ok := s.channels(m.Channel)
	if !ok {
		return ignore("not a customer channel"), nil
	}
	theirs := m.UserTeam != "" && e.TeamID != "" && m.UserTeam != e.TeamID
	ev := plusone.Event{
		Source: plusone.SourceSlack, ID: e.EventID, Type: plusone.EventMessageReceived, OccurredAt: tsTime(m.TS, e.EventTime),
		Message: &plusone.Message{ID: m.Channel + ":" + m.TS, Text: m.Text, FromCustomer: theirs},
	}
	if email := plusone.NormalizeEmail(who); email != "" {
		ev.Customer.Email = email
		if theirs {
			ev.Customer.ExternalID = m.User
		}
	} else {
		if !theirs {
			// An agent in a company's channel answers no one customer.
			return ignore("our side in a company channel"), nil
		}
		ev.Customer.ExternalID, ev.Customer.Domain = m.User, strings.ToLower(strings.TrimPrefix(who, "@"))
	}
	if !theirs {
		ev.Message.Author = "Agent in Slack"
	}
	return plusone.Delivery{DedupeKey: e.EventID, Events: []plusone.Event{ev}}, nil
}

func ignore(why string) plusone.Delivery {
	return plusone.Delivery{Reply: Answer{OK: true, Ignored: why}}
}

// tsTime reads a Slack ts ("1700000000.000100"), or the envelope's time.
func tsTime(ts string, fallback int64) time.Time {
	sec, _, _ := strings.Cut(ts, ".")
	if n, err := strconv.ParseInt(sec, 10, 64); err == nil && n > 0 {
		frac := 0
		if _, f, ok := strings.Cut(ts, "."); ok && len(f) >= 6 {
			frac, _ = strconv.Atoi(f[:6])
		}
		return time.Unix(n, int64(frac)*1000).UTC()
	}
	if fallback > 0 {
		return time.Unix(fallback, 0).UTC()
	}
	return time.Time{}
}

// decode reads JSON, naming the problem the way every integration does.
func decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			return webhook.Invalid("invalid JSON: %s at offset %d", se.Error(), se.Offset)
		}
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			return webhook.Invalid("field %q: got JSON %s, want %s", te.Field, te.Value, te.Type)
		}
		if errors.Is(err, io.EOF) {
			return webhook.Invalid("invalid JSON: empty body")
		}
		return webhook.Invalid("invalid JSON: %s", err)
	}
	return nil
}

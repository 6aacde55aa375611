package helpscout

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// text is a scalar read as a string: Help Scout sends ids and numbers as
// JSON numbers.
type text = webhook.Text

// tagList reads a conversation's tags: objects with "tag" (or "name") in
// the v2 payload, plain strings in v1.
type tagList []string

// UnmarshalJSON accepts an array of strings or tag objects, or null.
func (v *tagList) UnmarshalJSON(b []byte) error {
	out, err := stringsOrObjects(b, "tag", "name")
	*v = out
	return err
}

// valueList reads a customer's emails or phones: objects with "value" or
// plain strings.
type valueList []string

// UnmarshalJSON accepts an array of strings or objects with "value", or null.
func (v *valueList) UnmarshalJSON(b []byte) error {
	out, err := stringsOrObjects(b, "value")
	*v = out
	return err
}

// stringsOrObjects reads a JSON array (or null) whose items are scalars or
// objects, taking from an object the first of keys it has non-empty. Empty
// items are left out.
func stringsOrObjects(b []byte, keys ...string) ([]string, error) {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		var s text
		if err := json.Unmarshal(item, &s); err != nil {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(item, &obj); err != nil {
				return nil, err
			}
			for _, k := range keys {
				if raw, ok := obj[k]; ok {
					if err := json.Unmarshal(raw, &s); err != nil {
						return nil, err
					}
				}
				if s != "" {
					break
				}
			}
		}
		if s != "" {
			out = append(out, string(s))
		}
	}
	return out, nil
}

// timestamp reads an optional ISO 8601 time at field into UTC.
func timestamp(field string, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, webhook.Invalid("field %q: %q is not an ISO 8601 time", field, webhook.Clip(s))
	}
	return t.UTC(), nil
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// firstOf returns the first of ss that is not empty.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// firstTime returns the first of ts that is not zero.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

package freshdesk

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// decode unmarshals data into v. Its errors are EINVALID and name the byte
// offset of a syntax error or the field of a type mismatch.
func decode(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(err)
	}
	return nil
}

func jsonError(err error) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return invalid("invalid JSON: %s at offset %d", se.Error(), se.Offset)
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field == "" {
			return invalid("body: expected %s, got %s", describe(te.Type), te.Value)
		}
		return invalid("field %q: expected %s, got %s", te.Field, describe(te.Type), te.Value)
	}
	return invalid("invalid JSON: %v", err)
}

// describe names a Go type the way a JSON sender thinks of it.
func describe(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// text is a scalar read as a string: placeholders render as text, and one
// left unquoted in the body arrives as a number or a boolean. Numbers are
// kept digit for digit. A placeholder Freshdesk did not render
// ("{{ticket.id}}") reads as empty.
type text string

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (v *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*v = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "{{") && strings.HasSuffix(s, "}}") {
			s = ""
		}
		*v = text(s)
	case b[0] == '{':
		return &json.UnmarshalTypeError{Value: "object", Type: reflect.TypeFor[string]()}
	case b[0] == '[':
		return &json.UnmarshalTypeError{Value: "array", Type: reflect.TypeFor[string]()}
	default:
		*v = text(b)
	}
	return nil
}

// tagList reads tags as a JSON array of strings or as one string of tags
// separated by commas, as {{ticket.tags}} renders them ("vip, late
// delivery"). Freshdesk tags may contain spaces, so spaces do not separate.
type tagList []string

// UnmarshalJSON accepts an array of strings, a string or null.
func (v *tagList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var parts []string
	switch {
	case len(b) == 0 || string(b) == "null":
		*v = nil
		return nil
	case b[0] == '[':
		var list []text
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		for _, t := range list {
			parts = append(parts, string(t))
		}
	default:
		var s text
		if err := s.UnmarshalJSON(b); err != nil {
			return &json.UnmarshalTypeError{Value: "object", Type: reflect.TypeFor[[]string]()}
		}
		parts = strings.Split(string(s), ",")
	}
	out := tagList{}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	*v = out
	return nil
}

// parseTime reads a rendered time in UTC: Rails' default rendering
// ("2025-01-08 10:12:07 UTC", "2025-01-08 15:42:07 +0530") or ISO 8601.
// Localised renderings without a zone cannot be read; the pipeline then uses
// the time the delivery arrived.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	// Other zone abbreviations are ambiguous; only these two are certain.
	for _, utc := range []string{" UTC", " GMT"} {
		if rest, ok := strings.CutSuffix(s, utc); ok {
			s = rest + " +0000"
		}
	}
	for _, layout := range []string{"2006-01-02 15:04:05 -0700", time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func invalid(format string, args ...any) error {
	return plusone.Errorf(plusone.EINVALID, format, args...)
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

package helpscout

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// decode unmarshals body into v. Its errors are EINVALID and name the byte
// offset of a syntax error or the field of a type mismatch.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
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
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// text is a scalar read as a string: Help Scout sends ids and numbers as
// JSON numbers, which are kept digit for digit, never through float64.
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
		*v = text(strings.TrimSpace(s))
	case b[0] == '{':
		return &json.UnmarshalTypeError{Value: "object", Type: reflect.TypeFor[string]()}
	case b[0] == '[':
		return &json.UnmarshalTypeError{Value: "array", Type: reflect.TypeFor[string]()}
	default:
		*v = text(b)
	}
	return nil
}

// tagList reads a conversation's tags: objects with "tag" (or "name") in
// the v2 payload, plain strings in v1.
type tagList []string

// UnmarshalJSON accepts an array of strings or tag objects, or null.
func (v *tagList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*v = nil
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	out := make(tagList, 0, len(items))
	for _, item := range items {
		var name text
		if err := json.Unmarshal(item, &name); err != nil {
			var tag struct {
				Tag  text `json:"tag"`
				Name text `json:"name"`
			}
			if err := json.Unmarshal(item, &tag); err != nil {
				return err
			}
			name = tag.Tag
			if name == "" {
				name = tag.Name
			}
		}
		if name != "" {
			out = append(out, string(name))
		}
	}
	*v = out
	return nil
}

// valueList reads a customer's emails or phones: objects with "value" or
// plain strings.
type valueList []string

// UnmarshalJSON accepts an array of strings or objects with "value", or null.
func (v *valueList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*v = nil
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	out := make(valueList, 0, len(items))
	for _, item := range items {
		var s text
		if err := json.Unmarshal(item, &s); err != nil {
			var entry struct {
				Value text `json:"value"`
			}
			if err := json.Unmarshal(item, &entry); err != nil {
				return err
			}
			s = entry.Value
		}
		if s != "" {
			out = append(out, string(s))
		}
	}
	*v = out
	return nil
}

// timestamp reads an optional ISO 8601 time at field into UTC.
func timestamp(field string, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, invalid("field %q: %q is not an ISO 8601 time", field, clip(s))
	}
	return t.UTC(), nil
}

func invalid(format string, args ...any) error {
	return plusone.Errorf(plusone.EINVALID, format, args...)
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

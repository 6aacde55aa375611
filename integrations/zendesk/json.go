package zendesk

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
// offset of a syntax error or the field of a type mismatch, under prefix when
// data is a part of the body.
func decode(data []byte, v any, prefix string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(err, prefix)
	}
	return nil
}

func jsonError(err error, prefix string) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return invalid("invalid JSON: %s at offset %d", se.Error(), se.Offset)
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := te.Field
		if prefix != "" {
			field = strings.TrimSuffix(prefix+"."+field, ".")
		}
		if field == "" {
			return invalid("body: expected %s, got %s", describe(te.Type), te.Value)
		}
		return invalid("field %q: expected %s, got %s", field, describe(te.Type), te.Value)
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

// text is a scalar read as a string: Zendesk sends ids as strings or numbers,
// and placeholders that a trigger body leaves unquoted arrive as numbers or
// booleans. Numbers are kept digit for digit. A placeholder Zendesk did not
// render ("{{ticket.id}}") reads as empty.
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

func (v text) String() string { return string(v) }

// tagList reads tags as a JSON array of strings or as one string of tags
// separated by spaces or commas, as {{ticket.tags}} renders them.
type tagList []string

// UnmarshalJSON accepts an array of strings, a string or null.
func (v *tagList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*v = nil
		return nil
	case b[0] == '[':
		var list []text
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		out := make(tagList, 0, len(list))
		for _, t := range list {
			if t != "" {
				out = append(out, string(t))
			}
		}
		*v = out
		return nil
	}
	var s text
	if err := s.UnmarshalJSON(b); err != nil {
		return &json.UnmarshalTypeError{Value: "object", Type: reflect.TypeFor[[]string]()}
	}
	*v = tagList(strings.FieldsFunc(string(s), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }))
	if *v == nil {
		*v = tagList{}
	}
	return nil
}

// parseTime reads an ISO 8601 time as Zendesk writes it, with or without
// seconds ({{ticket.created_at_with_timestamp}} renders "2013-12-12T05:35Z"),
// in UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00"} {
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

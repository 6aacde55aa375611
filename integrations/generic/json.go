package generic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// id is an identifier that senders write either as a JSON string or as a
// number; numbers are kept digit for digit, never through float64.
type id string

// UnmarshalJSON accepts a string, a number or null.
func (v *id) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*v = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = id(strings.TrimSpace(s))
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		*v = id(b)
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(b[0]), Type: reflect.TypeFor[string]()}
	}
	return nil
}

func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "value"
}

// amount converts a JSON number or numeric string at field into Money.
// Absent and null amounts are zero.
func amount(field string, raw json.RawMessage) (plusone.Money, error) {
	if len(raw) == 0 {
		return 0, nil
	}
	var m plusone.Money
	if err := m.UnmarshalJSON(raw); err != nil {
		return 0, invalid("field %q: %v", field, err)
	}
	return m, nil
}

// timestamp parses an optional RFC 3339 time at field into UTC.
func timestamp(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, invalid("field %q: %q is not an RFC 3339 time", field, s)
	}
	return t.UTC(), nil
}

func invalid(format string, args ...any) error {
	return plusone.Errorf(plusone.EINVALID, format, args...)
}

// itemField names a field of the i-th element of a list.
func itemField(list string, i int, field string) string {
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

package intercom

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
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
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// text is a scalar read as a string: Intercom sends ids as strings, but older
// API versions and hand-made payloads send numbers. Numbers are kept digit
// for digit, never through float64.
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

// unixTime is a time Intercom writes as Unix seconds. It also accepts the
// seconds as a string and null, which reads as the zero time.
type unixTime time.Time

// UnmarshalJSON accepts an integer, a string of digits or null.
func (v *unixTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*v = unixTime{}
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*v = unixTime{}
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 1<<40 {
		return &json.UnmarshalTypeError{Value: "value " + clip(s), Type: reflect.TypeFor[int64]()}
	}
	if n == 0 {
		*v = unixTime{}
		return nil
	}
	*v = unixTime(time.Unix(n, 0).UTC())
	return nil
}

// Time returns the time, zero when Intercom sent none.
func (v unixTime) Time() time.Time { return time.Time(v) }

func invalid(format string, args ...any) error {
	return plusone.Errorf(plusone.EINVALID, format, args...)
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// firstTime returns the first of ts that is not zero.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

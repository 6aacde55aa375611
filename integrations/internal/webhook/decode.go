// Package webhook holds what every integration needs to read a vendor's
// JSON: decoding whose errors are EINVALID and name the byte offset or the
// field at fault (safe to show the sender, who has to fix the body), and
// scalar types for the ids and placeholder text that vendors send as
// strings, numbers or booleans.
package webhook

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/plusone-hq/plusone"
)

// Decode unmarshals data into v. Its errors are those of JSONError: the
// field of a type mismatch is named under prefix when data is a part of the
// body ("data.item"); prefix is "" for a whole body.
func Decode(data []byte, v any, prefix string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return JSONError(err, prefix)
	}
	return nil
}

// JSONError explains an error of encoding/json as an EINVALID error: the
// byte offset of a syntax error, or the field of a type mismatch (under
// prefix, when it is not "") with the type expected and the value found.
func JSONError(err error, prefix string) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return Invalid("invalid JSON: %s at offset %d", se.Error(), se.Offset)
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := te.Field
		if prefix != "" {
			field = strings.TrimSuffix(prefix+"."+field, ".")
		}
		if field == "" {
			return Invalid("body: expected %s, got %s", Describe(te.Type), te.Value)
		}
		return Invalid("field %q: expected %s, got %s", field, Describe(te.Type), te.Value)
	}
	return Invalid("invalid JSON: %v", err)
}

// Describe names a Go type the way a JSON sender thinks of it: "a string",
// "an integer", "an array", …
func Describe(t reflect.Type) string {
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

// Invalid returns an EINVALID *plusone.Error: a malformed body, which the
// intake answers with 400 and the message.
func Invalid(format string, args ...any) error {
	return plusone.Errorf(plusone.EINVALID, format, args...)
}

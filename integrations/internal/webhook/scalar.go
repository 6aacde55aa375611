package webhook

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// ID is an identifier that senders write either as a JSON string or as a
// number. Numbers are kept digit for digit, never through float64; strings
// are trimmed. Anything else is a type error.
type ID string

// UnmarshalJSON accepts a string, a number or null.
func (v *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*v = ""
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		*v = ID(strings.TrimSpace(s))
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		*v = ID(b)
	default:
		return &json.UnmarshalTypeError{Value: kindOf(b[0]), Type: reflect.TypeFor[string]()}
	}
	return nil
}

// String returns the id.
func (v ID) String() string { return string(v) }

// kindOf names the JSON value that starts with c.
func kindOf(c byte) string {
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

// Text is a scalar read as a string: ids and numbers that one sender writes
// as strings and another as numbers, or a boolean. Numbers are kept digit
// for digit, never through float64; strings are trimmed. An object or an
// array is a type error.
type Text string

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (v *Text) UnmarshalJSON(b []byte) error {
	s, err := scalar(b)
	if err != nil {
		return err
	}
	*v = Text(s)
	return nil
}

// String returns the text.
func (v Text) String() string { return string(v) }

// TemplateText is a scalar of a body that an admin built from a helpdesk's
// placeholders (a trigger's or an automation rule's webhook): read as Text,
// except that a placeholder the helpdesk did not render ("{{ticket.id}}")
// reads as empty. A placeholder left unquoted arrives as a number or a
// boolean and is kept as its text.
type TemplateText string

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (v *TemplateText) UnmarshalJSON(b []byte) error {
	s, err := scalar(b)
	if err != nil {
		return err
	}
	if strings.HasPrefix(s, "{{") && strings.HasSuffix(s, "}}") {
		s = ""
	}
	*v = TemplateText(s)
	return nil
}

// String returns the text.
func (v TemplateText) String() string { return string(v) }

// scalar reads a JSON string (trimmed), number, boolean or null as text.
func scalar(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	case b[0] == '{':
		return "", &json.UnmarshalTypeError{Value: "object", Type: reflect.TypeFor[string]()}
	case b[0] == '[':
		return "", &json.UnmarshalTypeError{Value: "array", Type: reflect.TypeFor[string]()}
	}
	return string(b), nil
}

// unquote reads the JSON string literal b. A literal of printable ASCII
// without escapes, what ids nearly always are, is its own text: it is
// taken as it is, sparing every id of every webhook a second pass of the
// decoder. Any other literal goes through encoding/json, which reads the
// escapes, replaces invalid UTF-8 as it always does, and reports a
// malformed literal.
func unquote(b []byte) (string, error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		plain := true
		for _, c := range b[1 : len(b)-1] {
			if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				plain = false
				break
			}
		}
		if plain {
			return string(b[1 : len(b)-1]), nil
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", err
	}
	return s, nil
}

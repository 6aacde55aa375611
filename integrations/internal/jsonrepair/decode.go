package jsonrepair

import (
	"encoding/json"
	"errors"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Decode unmarshals body into v, mending a body whose placeholders broke
// the JSON. On a syntax error, if template(body) says that body is meant to
// be one of our templates, it unmarshals Repair(body) into v instead, and
// keeps it if that succeeds and accept (when not nil) approves of v. It
// returns the JSON it read, body or its repair, or else the error of body
// itself as webhook.JSONError explains it: repairs that fail are not shown.
func Decode(body []byte, v any, template func(body []byte) bool, accept func() bool) ([]byte, error) {
	err := json.Unmarshal(body, v)
	if err == nil {
		return body, nil
	}
	if _, isSyntax := errors.AsType[*json.SyntaxError](err); !isSyntax || !template(body) {
		return nil, webhook.JSONError(err, "")
	}
	// Placeholders are not JSON-escaped; try to read the text as meant.
	data := Repair(body)
	if json.Unmarshal(data, v) != nil || accept != nil && !accept() {
		return nil, webhook.JSONError(err, "")
	}
	return data, nil
}

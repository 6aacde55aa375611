package webhook

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// Tags reads the tags of a body built from placeholders: a JSON array of
// scalars, or one string that split cuts into tags, as a helpdesk renders
// its tag placeholder ("vip, late delivery"). Both are read as TemplateText.
// null gives nil; otherwise the result is not nil and holds no empty tag.
func Tags(b []byte, split func(string) []string) ([]string, error) {
	b = bytes.TrimSpace(b)
	var parts []string
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil, nil
	case b[0] == '[':
		var list []TemplateText
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, err
		}
		for _, t := range list {
			parts = append(parts, string(t))
		}
	default:
		var s TemplateText
		if err := s.UnmarshalJSON(b); err != nil {
			return nil, &json.UnmarshalTypeError{Value: "object", Type: reflect.TypeFor[[]string]()}
		}
		parts = split(string(s))
	}
	out := []string{}
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

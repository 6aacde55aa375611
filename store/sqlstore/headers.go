package sqlstore

import (
	"encoding/json"
	"net/http"
	"slices"
)

// encodeHeaders is json.Marshal(h), byte for byte, without reflection when
// every name and value is plain (printable ASCII that JSON writes as it
// is), as a webhook's headers are: it runs once per webhook, on the path
// of its answer, where json.Marshal's sorting of the map through reflect
// cost more than the headers themselves. Anything else goes to
// json.Marshal.
func encodeHeaders(h http.Header) ([]byte, error) {
	if h == nil {
		return []byte("null"), nil
	}
	keys := make([]string, 0, len(h))
	size := 2
	for k, vs := range h {
		if !plainJSON(k) {
			return json.Marshal(h)
		}
		size += len(k) + 6
		for _, v := range vs {
			if !plainJSON(v) {
				return json.Marshal(h)
			}
			size += len(v) + 3
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		vs := h[k]
		if vs == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, v...)
			b = append(b, '"')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// plainJSON reports whether json.Marshal writes s between quotes as it is:
// printable ASCII but for the quote and the backslash, which it escapes,
// and <, > and &, which it escapes for HTML.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

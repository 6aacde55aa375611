package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// Amount reads the JSON number or numeric string at field as Money. An
// absent or null amount is zero.
func Amount(field string, raw json.RawMessage) (plusone.Money, error) {
	if len(raw) == 0 {
		return 0, nil
	}
	var m plusone.Money
	if err := m.UnmarshalJSON(raw); err != nil {
		return 0, Invalid("field %q: %v", field, err)
	}
	return m, nil
}

// Timestamp reads the optional RFC 3339 time at field, in UTC; an empty
// one is the zero time.
func Timestamp(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, Invalid("field %q: %q is not an RFC 3339 time", field, s)
	}
	return t.UTC(), nil
}

// ItemField names a field of the i-th element of a list, as errors name
// it: "line_items[2].price".
func ItemField(list string, i int, field string) string {
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

package intercom

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// text is a scalar read as a string: Intercom sends ids as strings, but
// older API versions and hand-made payloads send numbers.
type text = webhook.Text

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
		return &json.UnmarshalTypeError{Value: "value " + webhook.Clip(s), Type: reflect.TypeFor[int64]()}
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

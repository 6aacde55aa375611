package webhook

import (
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func TestAmount(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]plusone.Money{"": 0, "null": 0, `"105.00"`: 10500, "59.99": 5999} {
		if got, err := Amount("total", []byte(raw)); err != nil || got != want {
			t.Errorf("Amount(%s) = %v, %v; want %v", raw, got, err, want)
		}
	}
	_, err := Amount("line_items[0].price", []byte(`"a lot"`))
	if code, msg := plusone.ErrorCode(err), plusone.ErrorMessage(err); code != plusone.EINVALID || msg[:28] != `field "line_items[0].price":` {
		t.Errorf("Amount of a word = %v (%s), want EINVALID naming the field", err, code)
	}
}

func TestTimestamp(t *testing.T) {
	t.Parallel()
	got, err := Timestamp("occurred_at", " 2026-11-20T10:04:05-05:00 ")
	if want := time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC); err != nil || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Timestamp = %v, %v; want %v in UTC", got, err, want)
	}
	if got, err := Timestamp("occurred_at", ""); err != nil || !got.IsZero() {
		t.Errorf("Timestamp of nothing = %v, %v", got, err)
	}
	_, err = Timestamp("occurred_at", "yesterday")
	if msg := plusone.ErrorMessage(err); msg != `field "occurred_at": "yesterday" is not an RFC 3339 time` {
		t.Errorf("message = %q", msg)
	}
	if f := ItemField("line_items", 2, "price"); f != "line_items[2].price" {
		t.Errorf("ItemField = %q", f)
	}
}

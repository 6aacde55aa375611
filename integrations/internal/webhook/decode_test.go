package webhook

import (
	"reflect"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
)

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	type item struct {
		ID   ID       `json:"id"`
		Name string   `json:"name"`
		Tags []string `json:"tags"`
		N    int      `json:"n"`
	}
	tests := []struct {
		name, body, prefix, want string
	}{
		{"syntax", `{"id": }`, "", "invalid JSON: invalid character '}' looking for beginning of value at offset 8"},
		{"field", `{"name": 5}`, "", `field "name": expected a string, got number`},
		{"field under a prefix", `{"tags": "a"}`, "data.item", `field "data.item.tags": expected an array, got string`},
		{"integer", `{"n": "x"}`, "", `field "n": expected an integer, got string`},
		{"an id of the wrong kind", `{"id": true}`, "", `field "id": expected a string, got bool`},
		{"whole body", `[1]`, "", "body: expected an object, got array"},
		{"whole body under a prefix", `[1]`, "detail", `field "detail": expected an object, got array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v item
			err := Decode([]byte(tt.body), &v, tt.prefix)
			if code := plusone.ErrorCode(err); code != plusone.EINVALID {
				t.Fatalf("code = %q (%v), want %q", code, err, plusone.EINVALID)
			}
			if msg := plusone.ErrorMessage(err); msg != tt.want {
				t.Errorf("message = %q, want %q", msg, tt.want)
			}
		})
	}
	if err := Decode([]byte(`{"id": 1}`), &struct{}{}, ""); err != nil {
		t.Errorf("Decode of a valid body = %v", err)
	}
	if err := JSONError(errTest("odd"), ""); !strings.Contains(plusone.ErrorMessage(err), "invalid JSON: odd") {
		t.Errorf("JSONError of another error = %v", err)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

func TestDescribe(t *testing.T) {
	t.Parallel()
	tests := map[reflect.Type]string{
		nil:                            "another type",
		reflect.TypeFor[string]():      "a string",
		reflect.TypeFor[*string]():     "a string",
		reflect.TypeFor[bool]():        "true or false",
		reflect.TypeFor[int64]():       "an integer",
		reflect.TypeFor[uint8]():       "an integer",
		reflect.TypeFor[float64]():     "a number",
		reflect.TypeFor[[]string]():    "an array",
		reflect.TypeFor[[2]int]():      "an array",
		reflect.TypeFor[map[int]int](): "an object",
		reflect.TypeFor[struct{}]():    "an object",
		reflect.TypeFor[complex64]():   "complex64",
	}
	for typ, want := range tests {
		if got := Describe(typ); got != want {
			t.Errorf("Describe(%v) = %q, want %q", typ, got, want)
		}
	}
}

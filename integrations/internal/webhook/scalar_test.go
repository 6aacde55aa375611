package webhook

import (
	"encoding/json"
	"testing"

	"github.com/plusone-hq/plusone"
)

func TestScalars(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in                 string
		id, text, template string
		idErr, textErr     bool
	}{
		{in: `" 42 "`, id: "42", text: "42", template: "42"},
		{in: `12345678901234567890123`, id: "12345678901234567890123", text: "12345678901234567890123", template: "12345678901234567890123"},
		{in: `-7`, id: "-7", text: "-7", template: "-7"},
		{in: `null`},
		{in: `true`, idErr: true, text: "true", template: "true"},
		{in: `"{{ticket.id}}"`, id: "{{ticket.id}}", text: "{{ticket.id}}"},
		{in: `" {{ticket.id}} "`, id: "{{ticket.id}}", text: "{{ticket.id}}"},
		{in: `"{{a}} and {{b}}"`, id: "{{a}} and {{b}}", text: "{{a}} and {{b}}"},
		{in: `{"a": 1}`, idErr: true, textErr: true},
		{in: `[1]`, idErr: true, textErr: true},
	}
	for _, tt := range tests {
		var (
			id   ID
			text Text
			tmpl TemplateText
		)
		if err := json.Unmarshal([]byte(tt.in), &id); (err != nil) != tt.idErr || err == nil && string(id) != tt.id {
			t.Errorf("ID(%s) = %q, %v; want %q (error %v)", tt.in, id, err, tt.id, tt.idErr)
		}
		if err := json.Unmarshal([]byte(tt.in), &text); (err != nil) != tt.textErr || err == nil && text.String() != tt.text {
			t.Errorf("Text(%s) = %q, %v; want %q (error %v)", tt.in, text, err, tt.text, tt.textErr)
		}
		if err := json.Unmarshal([]byte(tt.in), &tmpl); (err != nil) != tt.textErr || err == nil && tmpl.String() != tt.template {
			t.Errorf("TemplateText(%s) = %q, %v; want %q (error %v)", tt.in, tmpl, err, tt.template, tt.textErr)
		}
	}
}

// TestScalarTypeErrors checks what a type error says, as JSONError shows it.
func TestScalarTypeErrors(t *testing.T) {
	t.Parallel()
	var v struct {
		ID   ID   `json:"id"`
		Text Text `json:"text"`
	}
	for body, want := range map[string]string{
		`{"id": {}}`:    `field "id": expected a string, got object`,
		`{"id": false}`: `field "id": expected a string, got bool`,
		`{"text": []}`:  `field "text": expected a string, got array`,
	} {
		err := Decode([]byte(body), &v, "")
		if msg := plusone.ErrorMessage(err); err == nil || msg != want {
			t.Errorf("Decode(%s) = %v, want the message %q", body, err, want)
		}
	}
}

// FuzzScalars checks that the scalars never panic and that whatever Text
// accepts, TemplateText accepts alike.
func FuzzScalars(f *testing.F) {
	for _, s := range []string{`"x"`, `1.5e3`, `null`, `"{{a}}"`, `{}`, `[`, `tru`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var (
			id   ID
			text Text
			tmpl TemplateText
		)
		_ = id.UnmarshalJSON(b)
		errText := text.UnmarshalJSON(b)
		errTmpl := tmpl.UnmarshalJSON(b)
		if (errText == nil) != (errTmpl == nil) {
			t.Fatalf("Text and TemplateText disagree on %q: %v, %v", b, errText, errTmpl)
		}
		if errText == nil && tmpl != "" && string(tmpl) != string(text) {
			t.Fatalf("TemplateText(%q) = %q, Text %q", b, tmpl, text)
		}
	})
}

// TestUnquoteAgreesWithEncodingJSON checks the plain-literal shortcut
// against encoding/json on literals that take it and on those that must
// not: escapes, non-ASCII, invalid UTF-8, and malformed literals given to
// it directly.
func TestUnquoteAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`""`, `"L-123"`, `" spaced "`, `"a/b:c?d=e&f"`, `"{{ticket.id}}"`,
		`"tab\tescaped"`, `"quote\"inside"`, `"back\\slash"`, `"\u00e9t\u00e9"`, `"été"`, `"日本"`,
		"\"bad \xff utf-8\"", "\"raw\ttab\"", `"unterminated`, `"`, `"a"b"`, `x"`,
	} {
		got, gotErr := unquote([]byte(in))
		var want string
		wantErr := json.Unmarshal([]byte(in), &want)
		if (gotErr != nil) != (wantErr != nil) || got != want {
			t.Errorf("unquote(%s) = %q, %v; encoding/json reads %q, %v", in, got, gotErr, want, wantErr)
		}
	}
}

func BenchmarkIDUnmarshal(b *testing.B) {
	in := []byte(`"intake-1234567"`)
	b.ReportAllocs()
	for b.Loop() {
		var id ID
		if err := id.UnmarshalJSON(in); err != nil {
			b.Fatal(err)
		}
	}
}

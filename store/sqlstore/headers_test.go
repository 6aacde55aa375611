package sqlstore

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// encodeHeaders writes what json.Marshal writes, byte for byte, whatever
// the headers hold.
func TestEncodeHeadersIsJSONMarshal(t *testing.T) {
	for _, h := range []http.Header{
		nil,
		{},
		{"Content-Type": {"application/json"}},
		{"X-Plusone-Signature": {"sha256=ab01"}, "X-Plusone-Timestamp": {"1764700000"}, "Content-Type": {"application/json"},
			"User-Agent": {"Go-http-client/1.1"}, "Accept-Encoding": {"gzip"}, "Content-Length": {"312"}},
		{"X-Many": {"a", "b", ""}, "X-None": {}, "X-Nil": nil},
		{"X-Quote": {`say "hi"`}, "X-Back": {`a\b`}},
		{"X-Html": {"<a href=x>&amp;</a>"}},
		{"X-Control": {"a\tb\x00\x7f"}},
		{"X-Utf8": {"Zoë — 東京"}, "X-Bad": {"\xff\xfe"}},
		{"Ä-Key": {"v"}},
	} {
		want, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeHeaders(h)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("encodeHeaders(%q)\n got %s\nwant %s", h, got, want)
		}
	}
}

func FuzzEncodeHeaders(f *testing.F) {
	f.Add("Content-Type", "application/json", "X-Sig", "sha256=00")
	f.Add("K", "<&>", "K2", "\"\\\x01")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		h := http.Header{k1: {v1, v2}, k2: {v2}}
		want, err := json.Marshal(h)
		if err != nil {
			t.Skip()
		}
		got, err := encodeHeaders(h)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("encodeHeaders(%q) = %s, %v; json.Marshal: %s", h, got, err, want)
		}
	})
}

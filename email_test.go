package plusone

import "testing"

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Jane@Example.com", "jane@example.com"},
		{"  jane@example.com\n", "jane@example.com"},
		{"jane+vip@mail.example.co.uk", "jane+vip@mail.example.co.uk"},
		{"a@b", ""},                  // no dot in the domain
		{"a@b.", ""},                 // empty last label
		{"a@.b", ""},                 // empty first label
		{"a@b..c", ""},               // empty label inside
		{"jane\x00@example.com", ""}, // NUL: a look-alike of jane@example.com
		{"jane@exam\x00ple.com", ""},
		{"jane@example.com\x00", ""},
		{"ja\x7fne@example.com", ""},
		{"ja\u200bne@example.com", ""}, // zero-width space: invisible, a look-alike
		{"ja ne@example.com", ""},
		{"ja\tne@example.com", ""},
		{"jane\u00a0@example.com", ""}, // no-break space
		{"<jane@example.com>", ""},
		{"@example.com", ""},
		{"jane@", ""},
		{"", ""},
	} {
		if got := NormalizeEmail(tc.in); got != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

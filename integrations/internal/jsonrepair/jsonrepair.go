// Package jsonrepair mends JSON bodies that helpdesks build by pasting
// placeholders into a template without escaping them, so that a quote or a
// line break in a subject or a comment breaks the JSON.
package jsonrepair

// Repair makes a best effort to turn a body whose placeholders broke the
// JSON (a Zendesk trigger's, a Freshdesk rule's) back into what the admin
// meant. Inside strings it escapes raw control characters and stray
// backslashes, and escapes a quote unless what follows it ends a string:
// optional white space, then ":", "}", "]", the end of the body, or ","
// followed by a quote, "}" or "]". Text that itself contains such a
// sequence cannot be told apart and stays broken.
func Repair(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !inString {
			out = append(out, c)
			inString = c == '"'
			continue
		}
		switch {
		case c == '\\':
			if n := validEscape(b[i+1:]); n > 0 {
				out = append(out, b[i:i+1+n]...)
				i += n
			} else {
				out = append(out, '\\', '\\')
			}
		case c == '"':
			if endsString(b[i+1:]) {
				out = append(out, c)
				inString = false
			} else {
				out = append(out, '\\', '"')
			}
		case c < 0x20:
			out = appendControl(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

// validEscape returns the length of the escape sequence after a backslash at
// the start of rest, or 0 if it is not one JSON allows.
func validEscape(rest []byte) int {
	if len(rest) == 0 {
		return 0
	}
	switch rest[0] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 1
	case 'u':
		if len(rest) < 5 {
			return 0
		}
		for _, h := range rest[1:5] {
			if !isHex(h) {
				return 0
			}
		}
		return 5
	}
	return 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// endsString reports whether a quote followed by rest closes a JSON string.
func endsString(rest []byte) bool {
	rest = skipSpace(rest)
	if len(rest) == 0 {
		return true
	}
	switch rest[0] {
	case ':', '}', ']':
		return true
	case ',':
		rest = skipSpace(rest[1:])
		return len(rest) == 0 || rest[0] == '"' || rest[0] == '}' || rest[0] == ']'
	}
	return false
}

func skipSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}

func appendControl(out []byte, c byte) []byte {
	switch c {
	case '\n':
		return append(out, '\\', 'n')
	case '\r':
		return append(out, '\\', 'r')
	case '\t':
		return append(out, '\\', 't')
	}
	const hexDigits = "0123456789abcdef"
	return append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

package plusone

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in hundredths of the currency unit (cents). Amounts are
// kept as integers so that sums and budgets never drift by rounding.
type Money int64

// ParseMoney reads a decimal amount such as "59.99", "420", "-3.5" or "1e2".
// Amounts with more than two decimals are rounded half away from zero.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if strings.ContainsAny(s, "eE") || intPart == "" && frac == "" {
		// Rare exponent notation from JSON encoders: fall back to float parsing.
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f > 9e15 {
			return 0, fmt.Errorf("invalid amount %q", s)
		}
		m := Money(f*100 + 0.5)
		if neg {
			m = -m
		}
		return m, nil
	}
	if intPart == "" {
		intPart = "0"
	}
	if hasDot && frac == "" {
		frac = "0"
	}
	for _, part := range []string{intPart, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("invalid amount %q", s)
			}
		}
	}
	if len(intPart) > 15 {
		return 0, fmt.Errorf("amount %q is too large", s)
	}
	whole, _ := strconv.ParseInt(intPart, 10, 64)
	cents := int64(0)
	switch {
	case len(frac) == 0:
	case len(frac) == 1:
		cents = int64(frac[0]-'0') * 10
	default:
		cents = int64(frac[0]-'0')*10 + int64(frac[1]-'0')
		if len(frac) > 2 && frac[2] >= '5' {
			cents++
		}
	}
	m := Money(whole*100 + cents)
	if neg {
		m = -m
	}
	return m, nil
}

// UnmarshalJSON accepts a JSON number or a JSON string holding a number, as
// vendors send both ("59.99" from Shopify, 420.00 from our generic schema).
func (m *Money) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*m = 0
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		if strings.TrimSpace(str) == "" {
			*m = 0
			return nil
		}
		s = str
	}
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalJSON writes the amount as a JSON number with two decimals.
func (m Money) MarshalJSON() ([]byte, error) {
	return []byte(m.Decimal()), nil
}

// Decimal formats the amount as a plain decimal, "1234.50".
func (m Money) Decimal() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Format renders the amount for people: "$1,234.50", "€89", "1,200.00 CHF".
// Whole amounts drop their cents.
func (m Money) Format(currency string) string {
	v := int64(m)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	whole := groupThousands(v / 100)
	num := whole
	if v%100 != 0 {
		num = fmt.Sprintf("%s.%02d", whole, v%100)
	}
	switch strings.ToUpper(currency) {
	case "", "USD":
		return sign + "$" + num
	case "EUR":
		return sign + "€" + num
	case "GBP":
		return sign + "£" + num
	case "JPY":
		return sign + "¥" + num
	case "CAD":
		return sign + "CA$" + num
	case "AUD":
		return sign + "A$" + num
	default:
		return sign + num + " " + strings.ToUpper(currency)
	}
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

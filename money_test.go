package plusone

import (
	"encoding/json"
	"testing"
)

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Money
		err  bool
	}{
		{"59.99", 5999, false},
		{"420", 42000, false},
		{"420.00", 42000, false},
		{"0.5", 50, false},
		{".5", 50, false},
		{"3.", 300, false},
		{"-3.50", -350, false},
		{"+1.005", 101, false},
		{"1.004", 100, false},
		{"1e2", 10000, false},
		{"", 0, true},
		{"abc", 0, true},
		{"1.2.3", 0, true},
		{"12a", 0, true},
		{"9999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, err=%v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestMoneyJSON(t *testing.T) {
	t.Parallel()
	var v struct {
		A Money `json:"a"`
		B Money `json:"b"`
		C Money `json:"c"`
		D Money `json:"d"`
	}
	if err := json.Unmarshal([]byte(`{"a":420.00,"b":"59.99","c":null,"d":""}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 42000 || v.B != 5999 || v.C != 0 || v.D != 0 {
		t.Errorf("got %+v", v)
	}
	if err := json.Unmarshal([]byte(`{"a":"ten"}`), &v); err == nil {
		t.Error("want error for a non-numeric string")
	}
	b, _ := json.Marshal(Money(-1234))
	if string(b) != "-12.34" {
		t.Errorf("marshal = %s", b)
	}
}

func TestMoneyFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    Money
		cur  string
		want string
	}{
		{8900, "USD", "$89"},
		{123450, "", "$1,234.50"},
		{100000000, "EUR", "€1,000,000"},
		{-1999, "GBP", "-£19.99"},
		{120000, "CHF", "1,200 CHF"},
	}
	for _, tt := range tests {
		if got := tt.m.Format(tt.cur); got != tt.want {
			t.Errorf("Format(%d, %s) = %q, want %q", tt.m, tt.cur, got, tt.want)
		}
	}
}

package config

import (
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Why not envconfig.Process: envconfig v1.4.0 reads the process environment
// through an unexported package variable (lookupEnv = os.LookupEnv) and has
// no way to take a lookup function, so the only way to feed it would be to
// set process variables, which parallel tests and run(getenv) cannot share.
// Instead this small reader walks Config's fields and follows envconfig's own
// tags (`envconfig` name, `default`, `desc`) with envconfig's semantics for
// the types Config uses, looking values up with getenv. The tags stay valid
// envconfig tags: TestEnvconfigAgrees checks that envconfig derives the same
// names and defaults, and that envconfig.Process reads the same values.
//
// Two deliberate differences: an empty variable counts as unset (envconfig
// would take the empty string, even for a required key), and a value that
// cannot be parsed is a Problem naming the variable rather than an
// *envconfig.ParseError; every field is read, so every problem is reported.

// variable is one field of Config and what its tags say about it.
type variable struct {
	index  int
	name   string // without the prefix
	def    string
	desc   string
	redact string // "", "all" or "password"
}

// variables lists Config's fields in declaration order.
func variables() []variable {
	t := reflect.TypeFor[Config]()
	vs := make([]variable, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := f.Tag.Lookup("envconfig")
		if !ok {
			continue
		}
		vs = append(vs, variable{index: i, name: name, def: f.Tag.Get("default"),
			desc: f.Tag.Get("desc"), redact: f.Tag.Get("redact")})
	}
	return vs
}

// read fills c from getenv, then defaults. A value that does not parse is
// a Problem, and the field keeps its default.
func read(c *Config, getenv func(string) string) Problems {
	var ps Problems
	rv := reflect.ValueOf(c).Elem()
	for _, v := range variables() {
		field := rv.Field(v.index)
		raw := strings.TrimSpace(getenv(Prefix + v.name))
		if raw == "" {
			raw = v.def
		}
		if raw == "" {
			continue
		}
		if msg := parseInto(field, raw); msg != "" {
			shown := fmt.Sprintf("%q", raw)
			if v.redact != "" {
				shown = "the value"
			}
			ps = append(ps, Problem{Variable: Prefix + v.name, Message: shown + " " + msg})
			if v.def != "" {
				parseInto(field, v.def)
			}
		}
	}
	return ps
}

// parseInto sets field from raw and returns what is wrong with raw, if
// anything, in words that complete the sentence `"raw" …`.
func parseInto(field reflect.Value, raw string) string {
	switch p := field.Addr().Interface().(type) {
	case *string:
		*p = raw
	case *int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return "is not a number"
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return "is not a number"
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return "is not a duration (write a number with a unit, e.g. 500ms, 1s, 5m or 1h)"
		}
		*p = d
	case *slog.Level:
		l, ok := parseLevel(raw)
		if !ok {
			return "is not a log level (want debug, info, warn or error)"
		}
		*p = l
	default:
		// A programming error in Config, caught by every test.
		panic(fmt.Sprintf("config: field %s has unsupported type %s", field.Type().Name(), field.Type()))
	}
	return ""
}

// parseLevel accepts exactly the four level names, in any case.
// slog.Level.UnmarshalText would also take offsets such as "warn+2".
func parseLevel(s string) (slog.Level, bool) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn", "warning":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}

// Variable documents one environment variable.
type Variable struct {
	// Name is the full name, e.g. PLUSONE_ADDR.
	Name string
	// Default is the value used when the variable is unset or empty.
	Default string
	// Description says what the variable does.
	Description string
	// Secret reports whether the value is kept out of logs and errors.
	Secret bool
}

// Describe lists every variable Load reads, in a stable order, for the
// README and `plusone check`.
func Describe() []Variable {
	vs := variables()
	out := make([]Variable, len(vs))
	for i, v := range vs {
		out[i] = Variable{Name: Prefix + v.name, Default: v.def, Description: v.desc, Secret: v.redact == "all"}
	}
	return out
}

// MarkdownTable renders Describe as a Markdown table (variable, default,
// meaning) for the README.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, v := range Describe() {
		def := "—"
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		desc := v.Description
		if v.Secret {
			desc += " (secret)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.Name, def, desc)
	}
	return b.String()
}

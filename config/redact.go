package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// redacted replaces a secret that is set.
const redacted = "[redacted]"

// LogValue lets the configuration be logged (slog.Any("config", cfg)):
// every variable under its lower-case name, secrets replaced by
// "[redacted]" when set, passwords in URLs masked.
func (c Config) LogValue() slog.Value {
	rv := reflect.ValueOf(c)
	vs := variables()
	attrs := make([]slog.Attr, 0, len(vs))
	for _, v := range vs {
		key := strings.ToLower(v.name)
		switch f := rv.Field(v.index).Interface().(type) {
		case string:
			attrs = append(attrs, slog.String(key, shown(v, f)))
		case time.Duration:
			attrs = append(attrs, slog.Duration(key, f))
		case slog.Level:
			attrs = append(attrs, slog.String(key, strings.ToLower(f.String())))
		default:
			attrs = append(attrs, slog.Any(key, f))
		}
	}
	return slog.GroupValue(attrs...)
}

// String renders the configuration as key=value pairs on one line, with
// secrets redacted as in LogValue.
func (c Config) String() string {
	var b strings.Builder
	for i, a := range c.LogValue().Group() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", a.Key, a.Value.String())
	}
	return b.String()
}

// GoString keeps secrets out of %#v too.
func (c Config) GoString() string { return "config.Config{" + c.String() + "}" }

// shown is how the value of v is shown in logs.
func shown(v variable, s string) string {
	switch {
	case s == "":
		return ""
	case v.redact == "all":
		return redacted
	case v.redact == "password":
		return redactURL(s)
	default:
		return s
	}
}

// redactURL masks the password of a URL, in its user info or in the query
// parameters libpq and pgx read (password, sslpassword). Values that do not
// parse are hidden entirely.
func redactURL(s string) string {
	if strings.HasPrefix(s, "sqlite:") {
		return s // a file path, no credentials
	}
	u, err := url.Parse(s)
	if err != nil {
		return redacted
	}
	q := u.Query()
	if u.User == nil && !q.Has("password") && !q.Has("sslpassword") {
		return s
	}
	if q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

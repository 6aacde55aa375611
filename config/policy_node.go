package config

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"go.yaml.in/yaml/v3"
)

// walker turns a YAML tree into domain values. It walks yaml.Node rather
// than decoding into structs so that every problem can name its line and
// field path, and so that it can go on after a problem and report them all.
type walker struct {
	file     string
	problems PolicyProblems
	// ownHoldout lists the gestures that set their own holdout share;
	// the others take outcomes.holdout.
	ownHoldout map[string]bool
}

// fail records a problem at node n (its line) and field path.
func (w *walker) fail(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	w.problems = append(w.problems, PolicyProblem{File: w.file, Line: line, Field: path, Message: fmt.Sprintf(format, args...)})
}

// resolve follows aliases (*name) to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// kindOf names the kind of n for messages: "a list", "a mapping", "a value".
func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// join extends a field path with a mapping key: tiers.loyal, or
// customer_channels["odd key"] for keys that are not plain words.
func join(path, key string) string {
	switch {
	case !plainKey.MatchString(key):
		return path + "[" + strconv.Quote(key) + "]"
	case path == "":
		return key
	default:
		return path + "." + key
	}
}

// index extends a field path with a list index: gestures[2].
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// oneOf lists choices for people: "a, b or c".
func oneOf[T ~string](choices []T) string {
	s := make([]string, len(choices))
	for i, c := range choices {
		s[i] = string(c)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// entry is one key and value of a mapping.
type entry struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
	path    string
}

// entries reads a mapping whose keys are data (role names, user IDs).
// Repeated keys are problems; null reads as an empty mapping.
func (w *walker) entries(n *yaml.Node, path string) []entry {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "want a mapping (key: value), got %s", kindOf(n))
		return nil
	}
	seen := map[string]int{}
	var out []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			w.fail(k, path, "a key must be a plain value, got %s", kindOf(k))
			continue
		}
		p := join(path, k.Value)
		if k.ShortTag() == "!!merge" {
			w.fail(k, p, "YAML merge keys (<<) are not supported here; write the fields out")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			w.fail(k, p, "repeated (first on line %d); keep one", first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, entry{key: k.Value, keyNode: k, val: v, path: p})
	}
	return out
}

// fields reads a mapping with a fixed set of keys and returns the value of
// each key present. Unknown keys are problems.
func (w *walker) fields(n *yaml.Node, path string, known ...string) map[string]*yaml.Node {
	es := w.entries(n, path)
	out := make(map[string]*yaml.Node, len(es))
	for _, e := range es {
		if !slices.Contains(known, e.key) {
			w.fail(e.keyNode, e.path, "unknown field (want %s)", oneOf(known))
			continue
		}
		out[e.key] = e.val
	}
	return out
}

// items reads a sequence; null reads as an empty list.
func (w *walker) items(n *yaml.Node, path string) []*yaml.Node {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		w.fail(n, path, "want a list ([a, b] or lines starting with -), got %s", kindOf(n))
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out
}

// scalar reads a single non-empty value.
func (w *walker) scalar(n *yaml.Node, path string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		w.fail(n, path, "want a single value, got %s", kindOf(n))
		return "", false
	}
	if isNull(n) || strings.TrimSpace(n.Value) == "" {
		w.fail(n, path, "needs a value")
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

// str reads a value matching re, described by want ("a Slack user ID such
// as U0123ABCD").
func (w *walker) str(n *yaml.Node, path string, re *regexp.Regexp, want string) (string, bool) {
	s, ok := w.scalar(n, path)
	if !ok {
		return "", false
	}
	if re != nil && !re.MatchString(s) {
		w.fail(n, path, "%q is not %s", s, want)
		return "", false
	}
	return s, true
}

// strs reads a list of values matching re.
func (w *walker) strs(n *yaml.Node, path string, re *regexp.Regexp, want string) []string {
	var out []string
	for i, it := range w.items(n, path) {
		if s, ok := w.str(it, index(path, i), re, want); ok {
			out = append(out, s)
		}
	}
	return out
}

// integer reads a whole number between lo and hi.
func (w *walker) integer(n *yaml.Node, path string, lo, hi int) (int, bool) {
	s, ok := w.scalar(n, path)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		w.fail(n, path, "%q is not a whole number", s)
		return 0, false
	}
	if i < lo || i > hi {
		w.fail(n, path, "must be between %d and %d, got %d", lo, hi, i)
		return 0, false
	}
	return i, true
}

// money reads a non-negative amount: a YAML number or a numeric string,
// parsed from its text so that 0.10 stays exactly ten cents.
func (w *walker) money(n *yaml.Node, path string) (plusone.Money, bool) {
	s, ok := w.scalar(n, path)
	if !ok {
		return 0, false
	}
	m, err := plusone.ParseMoney(s)
	if err != nil {
		w.fail(n, path, "%q is not an amount (write e.g. 15 or 15.00)", s)
		return 0, false
	}
	if m < 0 {
		w.fail(n, path, "must not be negative, got %s", s)
		return 0, false
	}
	return m, true
}

// duration reads a non-negative duration: a Go duration (720h, 90m) or days
// (30d).
func (w *walker) duration(n *yaml.Node, path string) (time.Duration, bool) {
	s, ok := w.scalar(n, path)
	if !ok {
		return 0, false
	}
	d, err := plusone.ParseDuration(s)
	if err != nil {
		w.fail(n, path, "%q is not a duration (write e.g. 30d, 720h or 90m)", s)
		return 0, false
	}
	if d < 0 {
		w.fail(n, path, "must not be negative, got %s", s)
		return 0, false
	}
	return d, true
}

// share reads a share between 0 and 1 (0.1 is ten per cent).
func (w *walker) share(n *yaml.Node, path string) (float64, bool) {
	s, ok := w.scalar(n, path)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		w.fail(n, path, "%q is not a share (write e.g. 0.1 for ten per cent)", s)
		return 0, false
	}
	if f < 0 || f >= 1 {
		w.fail(n, path, "must be at least 0 and below 1 (0.1 holds out ten per cent), got %s", s)
		return 0, false
	}
	return f, true
}

// boolean reads true or false.
func (w *walker) boolean(n *yaml.Node, path string) (bool, bool) {
	n = resolve(n)
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		w.fail(n, path, "want true or false, got %s", kindOf(n))
		return false, false
	}
	return b, true
}

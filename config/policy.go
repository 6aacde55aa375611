package config

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"go.yaml.in/yaml/v3"
)

// LoadPolicy reads the policy file at path (PLUSONE_POLICY_FILE); see
// ParsePolicy. Problems are reported under path as given.
func LoadPolicy(path string) (*plusone.Policy, error) {
	data, err := readPolicy(path)
	if err != nil {
		return nil, err
	}
	return ParsePolicy(path, data)
}

// readPolicy reads the policy file at path; a failure is PolicyProblems
// under path.
func readPolicy(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the problem
		}
		return nil, PolicyProblems{{File: path, Message: "cannot read the policy file: " + err.Error() +
			" (check PLUSONE_POLICY_FILE, or unset it to use the built-in policy)"}}
	}
	return data, nil
}

// ParsePolicy reads a policy file in the contract's YAML schema. name is
// used in problems only (usually the file's path).
//
// Fields left out take the defaults of plusone.DefaultPolicy: currency USD,
// timezone UTC, the default tier and signal thresholds, the default agent
// role (when roles does not define agent) and approvals expiring after 24h.
// A file without gestures offers none.
//
// Unknown fields, bad values and broken references (a member's role, a tier
// or signal name) are errors. The error is PolicyProblems listing every
// problem in line order, each with its file, line and field path.
func ParsePolicy(name string, data []byte) (*plusone.Policy, error) {
	w := &walker{file: name, ownHoldout: map[string]bool{}}
	root := w.document(data)
	var p *plusone.Policy
	if root != nil {
		p = w.policy(root)
	}
	if len(w.problems) > 0 {
		slices.SortStableFunc(w.problems, func(a, b PolicyProblem) int { return a.Line - b.Line })
		return nil, w.problems
	}
	return p, nil
}

// yamlLine finds the line in a go-yaml syntax error: "yaml: line 3: …".
var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// document parses data into the node of its one top-level mapping, or
// records why it cannot.
func (w *walker) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if err != nil && !errors.Is(err, io.EOF) {
		w.syntax(err)
		return nil
	}
	if errors.Is(err, io.EOF) || len(doc.Content) == 0 || isNull(resolve(doc.Content[0])) {
		w.problems = append(w.problems, PolicyProblem{File: w.file, Line: 1,
			Message: "the policy file is empty; define at least gestures and roles, or unset PLUSONE_POLICY_FILE to use the built-in policy"})
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		w.problems = append(w.problems, PolicyProblem{File: w.file, Line: next.Line,
			Message: "a second YAML document (after ---); keep the whole policy in one document"})
	case !errors.Is(err, io.EOF):
		w.syntax(err)
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		w.fail(root, "", "the policy must be a mapping of fields such as currency, gestures and roles, got %s", kindOf(root))
		return nil
	}
	return root
}

// parserProblems are the messages of go-yaml's parser (as opposed to its
// scanner). go-yaml v3 reports their lines 0-based: its parser.fail adds one
// only for scanner errors.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// syntax records a YAML syntax error with its line.
func (w *walker) syntax(err error) {
	p := PolicyProblem{File: w.file, Message: "invalid YAML: " + err.Error()}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = "invalid YAML: " + m[2]
		if p.Line > 0 && slices.Contains(parserProblems, m[2]) {
			p.Line++
		}
	}
	w.problems = append(w.problems, p)
}

// policy reads the top-level mapping.
func (w *walker) policy(root *yaml.Node) *plusone.Policy {
	def := plusone.DefaultPolicy()
	p := &plusone.Policy{
		Currency:  def.Currency,
		Timezone:  def.Timezone,
		Tiers:     def.Tiers,
		Signals:   def.Signals,
		Roles:     map[string]plusone.Role{},
		Members:   map[string]string{},
		Approvals: plusone.Approvals{Expire: def.Approvals.Expire},
		Outcomes:  def.Outcomes,
	}
	f := w.fields(root, "", "currency", "timezone", "tiers", "signals", "gestures", "roles", "members",
		"teams", "customer_budget", "approvals", "customer_channels", "routing", "private", "outcomes", "link_domains",
		"retention", "card", "escalations")
	if n := f["currency"]; n != nil {
		if c, ok := w.str(n, "currency", currencyCode, "a 3-letter ISO currency code such as USD or EUR"); ok {
			p.Currency = strings.ToUpper(c)
		}
	}
	if n := f["timezone"]; n != nil {
		p.Timezone = w.timezone(n, "timezone", p.Timezone)
	}
	if n := f["tiers"]; n != nil {
		p.Tiers = w.tiers(n, "tiers", p.Tiers)
	}
	if n := f["signals"]; n != nil {
		p.Signals = w.signals(n, "signals", p.Signals)
	}
	if n := f["gestures"]; n != nil {
		p.Gestures = w.gestures(n, "gestures")
	}
	if n := f["roles"]; n != nil {
		p.Roles = w.roles(n, "roles")
	}
	if _, ok := p.Roles[plusone.DefaultAgentRole]; !ok {
		// Everyone not listed under members is an agent, so the role must exist.
		p.Roles[plusone.DefaultAgentRole] = def.Roles[plusone.DefaultAgentRole]
	}
	if n := f["members"]; n != nil {
		p.Members = w.members(n, "members", p.Roles)
	}
	if n := f["teams"]; n != nil {
		p.Teams = w.teams(n, "teams")
	}
	if n := f["customer_budget"]; n != nil {
		p.CustomerBudget = w.budget(n, "customer_budget")
	}
	if n := f["approvals"]; n != nil {
		p.Approvals = w.approvals(n, "approvals", p.Approvals)
	}
	if n := f["card"]; n != nil {
		p.CardFields = w.card(n, "card")
	}
	if n := f["escalations"]; n != nil {
		p.Escalations = w.escalations(n, "escalations", p.Approvals.Supervisors)
	}
	if n := f["customer_channels"]; n != nil {
		p.CustomerChannels = w.customerChannels(n, "customer_channels")
	}
	if n := f["routing"]; n != nil {
		p.Routing = w.routing(n, "routing")
	}
	if n := f["private"]; n != nil {
		p.Private = w.private(n, "private")
	}
	if n := f["link_domains"]; n != nil {
		p.LinkDomains = w.linkDomains(n, "link_domains")
	}
	if n := f["outcomes"]; n != nil {
		p.Outcomes = w.outcomes(n, "outcomes")
	}
	for i, g := range p.Gestures {
		if !w.ownHoldout[g.ID] {
			p.Gestures[i].Holdout = p.Outcomes.Holdout
		}
	}
	if n := f["retention"]; n != nil {
		p.Retention = w.retention(n, "retention")
	}
	return p
}

var currencyCode = regexp.MustCompile(`^[A-Za-z]{3}$`)

// timezone reads an IANA zone name such as America/New_York.
func (w *walker) timezone(n *yaml.Node, path string, fallback *time.Location) *time.Location {
	s, ok := w.scalar(n, path)
	if !ok {
		return fallback
	}
	if s == "Local" { // the machine's zone: budgets would reset at different times on different hosts
		w.fail(n, path, "name the zone, e.g. America/New_York or UTC, not Local")
		return fallback
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		w.fail(n, path, "unknown time zone %q (want an IANA name such as America/New_York, Europe/Berlin or UTC)", s)
		return fallback
	}
	return loc
}

// minRetention is the shortest retention accepted: a shorter one is far
// more likely a slip ("1095m" for "1095d") than a wish to erase every
// customer within the day.
const minRetention = 24 * time.Hour

// retention reads how long customers are kept without an event.
func (w *walker) retention(n *yaml.Node, path string) time.Duration {
	d, ok := w.duration(n, path)
	if !ok {
		return 0
	}
	if d < minRetention {
		w.fail(n, path, "must be at least 1d (customers with no event for this long are erased), got %s", n.Value)
		return 0
	}
	return d
}

package config

import (
	"regexp"
	"slices"
	"strings"

	"github.com/plusone-hq/plusone"
	"go.yaml.in/yaml/v3"
)

// domainName matches a lower-case DNS name with at least one dot.
var domainName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// customerChannels reads Slack channel ID -> customer email or email domain.
func (w *walker) customerChannels(n *yaml.Node, path string) map[string]string {
	out := map[string]string{}
	es := w.entries(n, path)
	for _, e := range es {
		if !channelID.MatchString(e.key) {
			w.fail(e.keyNode, e.path, "%q is not %s", e.key, wantChannel)
			continue
		}
		s, ok := w.scalar(e.val, e.path)
		if !ok {
			continue
		}
		s = strings.ToLower(s)
		if !isEmailOrDomain(s) {
			w.fail(e.val, e.path, "%q is not an email address or email domain (e.g. jane@acme.example or acme.example)", s)
			continue
		}
		out[e.key] = s
	}
	return out
}

func isEmailOrDomain(s string) bool {
	local, domain, hasAt := strings.Cut(s, "@")
	if !hasAt {
		return domainName.MatchString(s)
	}
	return local != "" && !strings.ContainsAny(local, " \t@<>") && domainName.MatchString(domain)
}

// routeSources are the sources a route may match: the webhook sources and
// Slack. (cmd/plusone's TestSources checks that every webhook source is
// among them.)
func routeSources() []plusone.Source {
	return []plusone.Source{plusone.SourceZendesk, plusone.SourceShopify, plusone.SourceIntercom,
		plusone.SourceHelpScout, plusone.SourceFreshdesk, plusone.SourceGeneric, plusone.SourceSlack}
}

// routing reads the routes, first match wins.
func (w *walker) routing(n *yaml.Node, path string) []plusone.Route {
	var out []plusone.Route
	for i, it := range w.items(n, path) {
		p := index(path, i)
		if it.Kind != yaml.MappingNode {
			w.fail(it, p, "want {when: {…}, channel: C…}, got %s", kindOf(it))
			continue
		}
		var r plusone.Route
		f := w.fields(it, p, "when", "channel")
		if v := f["when"]; v != nil {
			r.When = w.routeMatch(v, join(p, "when"))
		} else {
			w.fail(it, join(p, "when"), "required: at least one of source, tier, tag or brand")
		}
		if v := f["channel"]; v != nil {
			r.Channel, _ = w.str(v, join(p, "channel"), channelID, wantChannel)
		} else {
			w.fail(it, join(p, "channel"), "required: where matching cards go, e.g. C0123ABCD")
		}
		out = append(out, r)
	}
	return out
}

func (w *walker) routeMatch(n *yaml.Node, path string) plusone.RouteMatch {
	f := w.fields(n, path, "source", "tier", "tag", "brand")
	if r := resolve(n); isNull(r) || (r.Kind == yaml.MappingNode && len(r.Content) == 0) {
		w.fail(n, path, "needs at least one of source, tier, tag or brand (a route without conditions would take every card)")
	}
	return w.routeFields(f, path)
}

// routeFields reads the conditions routing and escalations share from a
// rule's fields f.
func (w *walker) routeFields(f map[string]*yaml.Node, path string) plusone.RouteMatch {
	var m plusone.RouteMatch
	if v := f["source"]; v != nil {
		if s, ok := w.scalar(v, join(path, "source")); ok {
			if slices.Contains(routeSources(), plusone.Source(s)) {
				m.Source = plusone.Source(s)
			} else {
				w.fail(v, join(path, "source"), "unknown source %q (want %s)", s, oneOf(routeSources()))
			}
		}
	}
	if v := f["tier"]; v != nil {
		m.Tier, _ = w.tier(v, join(path, "tier"))
	}
	if v := f["tag"]; v != nil {
		m.Tag, _ = w.scalar(v, join(path, "tag"))
	}
	if v := f["brand"]; v != nil {
		m.Brand, _ = w.scalar(v, join(path, "brand"))
	}
	return m
}

// privateFields are the customer fields a policy may keep out of Slack.
var privateFields = []string{"phone", "email"}

// private reads the customer fields kept out of Slack.
func (w *walker) private(n *yaml.Node, path string) []string {
	var out []string
	for i, it := range w.items(n, path) {
		s, ok := w.scalar(it, index(path, i))
		if !ok {
			continue
		}
		s = strings.ToLower(s)
		if !slices.Contains(privateFields, s) {
			w.fail(it, index(path, i), "unknown customer field %q (want %s)", s, oneOf(privateFields))
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// linkDomains reads the hosts where a helpdesk is served on the customer's
// own domain: DNS names such as support.acme.example, no scheme or path.
func (w *walker) linkDomains(n *yaml.Node, path string) []string {
	var out []string
	for i, it := range w.items(n, path) {
		s, ok := w.scalar(it, index(path, i))
		if !ok {
			continue
		}
		s = strings.ToLower(strings.TrimSpace(s))
		if !domainName.MatchString(s) {
			w.fail(it, index(path, i), "%q is not a host name (e.g. support.acme.example, without https:// or a path)", s)
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

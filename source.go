package plusone

import (
	"log/slog"
	"regexp"
	"time"
)

// Source names a system that sends us events. It is also the {source} of
// POST /webhooks/{source}.
type Source string

// The sources plusone understands.
const (
	SourceGeneric   Source = "generic"
	SourceZendesk   Source = "zendesk"
	SourceShopify   Source = "shopify"
	SourceIntercom  Source = "intercom"
	SourceHelpScout Source = "helpscout"
	SourceFreshdesk Source = "freshdesk"
	SourceSlack     Source = "slack"
	// SourceAgent marks data entered by an agent in Slack (notes, preferences).
	SourceAgent Source = "agent"
)

// Title is the source as its users know it, in the vendor's own spelling:
// "Zendesk", "Help Scout". A source without a title shows as its name, so
// that a forgotten one is visible (and fails the test over the sources).
func (s Source) Title() string {
	switch s {
	case SourceGeneric:
		return "Generic"
	case SourceZendesk:
		return "Zendesk"
	case SourceShopify:
		return "Shopify"
	case SourceIntercom:
		return "Intercom"
	case SourceHelpScout:
		return "Help Scout"
	case SourceFreshdesk:
		return "Freshdesk"
	case SourceSlack:
		return "Slack"
	case SourceAgent:
		return "Agent"
	}
	return string(s)
}

// SourceInfo describes a webhook source to the packages that range over
// the sources: its integration package exports it (Describe), cmd/plusone
// lists them all once, and config, memory and the wiring read what they
// need from that list, so that a new source is its own package and one line
// of that list. Its title is Source.Title.
type SourceInfo struct {
	Source Source
	// Links are the shapes of the URLs of its tickets, conversations and
	// orders (lookup by link, unfurls). A source that links to the
	// sender's own systems (generic) has none.
	Links []LinkPattern
	// Env names the environment variables that configure it.
	Env SourceEnv
	// New returns its integration, configured through env (the value of
	// a variable by its full name; "" when unset), logging to log.
	New func(env func(name string) string, log *slog.Logger) Integration
	// NewAPI, for a source whose API plusone calls, returns its client
	// when env configures one, or nil: a History, and an Enricher or a
	// write-back target when the client is one. Build it once per process
	// (it holds the account's rate pacer and caches). calls, if not nil,
	// learns each of its HTTP calls.
	NewAPI func(env func(name string) string, log *slog.Logger, calls APICalls) History
}

// APICalls learns each call a vendor API client makes: the vendor
// ("zendesk"), the HTTP status (0 when no answer came) and how long it
// took. The metrics implement it; the clients know it only as this.
type APICalls interface {
	APICall(vendor string, status int, took time.Duration)
}

// LinkPattern recognises the URL of a ticket, conversation or order at a
// vendor.
type LinkPattern struct {
	// Pattern matches the URL's host and path (and "/" and its fragment,
	// when it has one); its first group is the id.
	Pattern *regexp.Regexp
	// Order is set when the id is an order's, not a ticket's.
	Order bool
	// Domain is the domain Slack is asked to unfurl such links under (an
	// unfurl_domains entry of the app manifest), such as "zendesk.com".
	Domain string
	// Path, for a vendor that serves its helpdesk on the customer's own
	// domain, matches the path alone (its first group the id) on the hosts
	// the policy's link_domains lists; nil when the vendor has no custom
	// domains.
	Path *regexp.Regexp
}

// SourceEnv names, in full (PLUSONE_…), the environment variables of a
// source, as the contract spells them.
type SourceEnv struct {
	// WebhookSecret verifies its webhooks; unset, POST /webhooks/{source}
	// answers 404.
	WebhookSecret string
	// APIURL is its API's base URL; "" when plusone calls no API of it.
	APIURL string
	// APICredentials authenticate to its API. Those without a default
	// are required together with an APIURL that has none.
	APICredentials []string
}

// Package plusone is the domain of the plusone service: customers and their
// identities, the events that reach us from helpdesks and shops, the timeline,
// the profile (orders, lifetime value, tier), signals, the policy, and the
// interfaces of the store that keeps them.
//
// It holds plain types and pure rules and imports nothing of the project.
// Everything else implements or uses what is declared here: store/* keeps it,
// integrations/* turn vendor payloads into Events, pipeline applies them, bot
// renders them for Slack and cmd/plusone wires it all together.
package plusone

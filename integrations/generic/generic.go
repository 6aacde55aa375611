// Package generic receives events from any system over POST /webhooks/generic,
// in plusone's own JSON schema (CONTRACT.md, "The generic source").
//
// A request is signed with the shared secret: the header X-Plusone-Timestamp
// holds the Unix time in seconds and X-Plusone-Signature holds
// "sha256=" + lowercase hex HMAC-SHA256(secret, timestamp + "." + raw body).
// Requests whose timestamp is more than MaxSkew away from now are rejected, so
// a captured request cannot be replayed later.
package generic

import (
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// MaxSkew is how far a request's signed timestamp may be from the receiver's
// clock, in either direction.
const MaxSkew = 5 * time.Minute

// The request headers that carry the signature.
const (
	HeaderTimestamp = "X-Plusone-Timestamp"
	HeaderSignature = "X-Plusone-Signature"
)

// Source verifies and parses generic webhooks. It holds no mutable state and
// is safe for concurrent use.
type Source struct {
	secret []byte
	mac    *webhook.Keyed // keyed with secret
}

var _ plusone.Integration = (*Source)(nil)

// New returns a Source that checks signatures made with secret. An empty
// secret rejects every request.
func New(secret string) *Source {
	return &Source{secret: []byte(secret), mac: webhook.NewKeyed([]byte(secret))}
}

// Source returns plusone.SourceGeneric.
func (s *Source) Source() plusone.Source { return plusone.SourceGeneric }

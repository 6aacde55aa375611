package vendorapi

import (
	"sync"
	"time"
)

// AgentTTL is how long an agent found by email is remembered.
const AgentTTL = 15 * time.Minute

// maxAgents bounds an AgentCache: cleared when full.
const maxAgents = 1024

// AgentCache remembers the helpdesk user id of an agent's email (the empty
// id for an email the helpdesk does not know) for AgentTTL. The zero value
// is ready to use; it is safe for concurrent use.
type AgentCache struct {
	mu sync.Mutex
	m  map[string]cachedAgent
}

type cachedAgent struct {
	id string
	at time.Time
}

// Get returns the id remembered for email at now.
func (c *AgentCache) Get(email string, now time.Time) (id string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.m[email]
	if !ok || now.Sub(a.at) >= AgentTTL {
		return "", false
	}
	return a.id, true
}

// Put remembers id for email at now.
func (c *AgentCache) Put(email, id string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxAgents {
		c.m = map[string]cachedAgent{}
	}
	c.m[email] = cachedAgent{id: id, at: now}
}

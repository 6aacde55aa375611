package zendesk

import (
	"container/list"
	"sync"
	"time"
)

// userCache remembers Zendesk users by id, at most size of them, each for
// ttl; the least recently used goes first. A nil *userCache remembers
// nothing. It is safe for concurrent use.
type userCache struct {
	mu    sync.Mutex
	size  int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // of *cacheEntry, most recently used first
	byID  map[string]*list.Element
}

type cacheEntry struct {
	id      string
	user    *apiUser // nil: Zendesk has no such user
	expires time.Time
}

func newUserCache(size int, ttl time.Duration, now func() time.Time) *userCache {
	if size <= 0 || ttl <= 0 {
		return nil
	}
	return &userCache{size: size, ttl: ttl, now: now, order: list.New(), byID: make(map[string]*list.Element)}
}

// get returns the user remembered for id; ok is false when there is none or
// it has expired. A remembered unknown user is (nil, true).
func (c *userCache) get(id string) (u *apiUser, ok bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.byID, id)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e.user, true
}

// put remembers u (nil for an unknown user) as the user with id.
func (c *userCache) put(id string, u *apiUser) {
	if c == nil || id == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	expires := c.now().Add(c.ttl)
	if el, ok := c.byID[id]; ok {
		el.Value = &cacheEntry{id: id, user: u, expires: expires}
		c.order.MoveToFront(el)
		return
	}
	c.byID[id] = c.order.PushFront(&cacheEntry{id: id, user: u, expires: expires})
	for c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byID, oldest.Value.(*cacheEntry).id)
	}
}

// len counts the users remembered, expired or not.
func (c *userCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

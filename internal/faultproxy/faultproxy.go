// Package faultproxy is a TCP proxy for tests that put faults between a
// program and a server it depends on (a database): it passes traffic, and
// on demand freezes the connections open at that moment (nothing more is
// forwarded, they stay open, as when a NAT entry is dropped or a server
// fails over), blackholes everything (new connections are accepted and
// hear nothing either), and resumes.
package faultproxy

import (
	"errors"
	"io"
	"net"
	"sync"
)

// Proxy forwards the connections it accepts to a target address.
type Proxy struct {
	target string
	ln     net.Listener
	done   chan struct{}
	wg     sync.WaitGroup

	mu        sync.Mutex
	links     map[*link]struct{}
	blackhole bool
	closed    bool
}

// Start listens on a free loopback port and forwards to target.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, ln: ln, done: make(chan struct{}), links: map[*link]struct{}{}}
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is the address to connect to instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Freeze stops forwarding on every open connection, leaving it open; data
// sent meanwhile waits in the proxy and the sockets' buffers. New
// connections still pass.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for l := range p.links {
		l.freeze()
	}
}

// Blackhole freezes every open connection and every new one.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blackhole = true
	for l := range p.links {
		l.freeze()
	}
}

// Resume forwards again on every connection, what waited first.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blackhole = false
	for l := range p.links {
		l.thaw()
	}
}

// Open returns how many connections are open through the proxy.
func (p *Proxy) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// Close stops listening, closes every connection and waits for the
// proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.done)
	for l := range p.links {
		l.close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

// serve forwards one client connection until either side closes.
func (p *Proxy) serve(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	l := &link{client: client, server: server, thawed: make(chan struct{})}
	close(l.thawed)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.close()
		return
	}
	if p.blackhole {
		l.freeze()
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.links, l)
		p.mu.Unlock()
		l.close()
	}()
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(l, server, client) })
	wg.Go(func() { p.pipe(l, client, server) })
	wg.Wait()
}

// pipe copies from src to dst, each chunk and the end of the stream only
// while the link is not frozen.
func (p *Proxy) pipe(l *link, dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if !l.wait(p.done) {
			return
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				l.close()
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				if tc, ok := dst.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
					return
				}
			}
			l.close()
			return
		}
	}
}

// link is one proxied connection: the client's and the server's sockets.
type link struct {
	client, server net.Conn

	mu     sync.Mutex
	thawed chan struct{} // closed while the link forwards
}

func (l *link) freeze() {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.thawed:
		l.thawed = make(chan struct{})
	default: // already frozen
	}
}

func (l *link) thaw() {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.thawed:
	default:
		close(l.thawed)
	}
}

// wait blocks while the link is frozen; false when the proxy closed.
func (l *link) wait(done <-chan struct{}) bool {
	for {
		l.mu.Lock()
		ch := l.thawed
		l.mu.Unlock()
		select {
		case <-ch:
			// A freeze may have come between reading ch and now: look again.
			l.mu.Lock()
			same := l.thawed == ch
			l.mu.Unlock()
			if same {
				return true
			}
		case <-done:
			return false
		}
	}
}

func (l *link) close() {
	l.client.Close()
	l.server.Close()
}

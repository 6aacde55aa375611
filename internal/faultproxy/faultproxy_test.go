package faultproxy

import (
	"bufio"
	"net"
	"sync"
	"testing"
	"time"
)

// echoServer answers every line with the same line.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					if _, err := c.Write(append(sc.Bytes(), '\n')); err != nil {
						return
					}
				}
			})
		}
	})
	return ln.Addr().String()
}

type client struct {
	c  net.Conn
	rd *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{c: c, rd: bufio.NewReader(c)}
}

func (c *client) send(t *testing.T, line string) {
	t.Helper()
	if _, err := c.c.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
}

// read returns the next line, or "" if none came within wait.
func (c *client) read(t *testing.T, wait time.Duration) string {
	t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(wait))
	line, err := c.rd.ReadString('\n')
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return ""
		}
		t.Fatalf("read: %v", err)
	}
	return line[:len(line)-1]
}

// silence is how long a frozen connection is watched for an answer that
// must not come; a proxy that forwarded anyway would answer in far less.
const silence = 300 * time.Millisecond

func TestFreezeOpenConnectionsOnly(t *testing.T) {
	t.Parallel()
	p, err := Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	old := dial(t, p.Addr())
	old.send(t, "hello")
	if got := old.read(t, 10*time.Second); got != "hello" {
		t.Fatalf("through the proxy: %q", got)
	}

	p.Freeze()
	old.send(t, "while frozen")
	if got := old.read(t, silence); got != "" {
		t.Fatalf("a frozen connection forwarded %q", got)
	}
	fresh := dial(t, p.Addr())
	fresh.send(t, "new")
	if got := fresh.read(t, 10*time.Second); got != "new" {
		t.Fatalf("a new connection during a freeze: %q", got)
	}
	if n := p.Open(); n != 2 {
		t.Errorf("%d connections open, want 2 (the frozen one stays open)", n)
	}

	p.Resume()
	if got := old.read(t, 10*time.Second); got != "while frozen" {
		t.Fatalf("after resume the frozen connection got %q, want what it sent meanwhile", got)
	}
}

func TestBlackholeAndResume(t *testing.T) {
	t.Parallel()
	p, err := Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	old := dial(t, p.Addr())
	p.Blackhole()
	old.send(t, "a")
	fresh := dial(t, p.Addr()) // accepted, but nothing comes back
	fresh.send(t, "b")
	if got := old.read(t, silence); got != "" {
		t.Fatalf("open connection in a blackhole forwarded %q", got)
	}
	if got := fresh.read(t, silence); got != "" {
		t.Fatalf("new connection in a blackhole forwarded %q", got)
	}
	p.Resume()
	if got := old.read(t, 10*time.Second); got != "a" {
		t.Errorf("open connection after resume: %q", got)
	}
	if got := fresh.read(t, 10*time.Second); got != "b" {
		t.Errorf("new connection after resume: %q", got)
	}
}

// Close ends frozen connections too and returns only when every goroutine
// of the proxy has.
func TestCloseEndsFrozenConnections(t *testing.T) {
	t.Parallel()
	p, err := Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, p.Addr())
	c.send(t, "x")
	if got := c.read(t, 10*time.Second); got != "x" {
		t.Fatalf("got %q", got)
	}
	p.Freeze()
	c.send(t, "y")
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.rd.ReadString('\n'); err == nil {
		t.Error("connection still forwards after Close")
	}
	if n := p.Open(); n != 0 {
		t.Errorf("%d connections left open", n)
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Error("still accepting after Close")
	}
}

// Package historytest is the test kit of the History clients in
// integrations/*: a fake vendor API that records every request and lets a
// test answer some itself, helpers to misbehave (hang up, record waits),
// and one suite of resilience tests (Run) that every client must pass.
package historytest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Request is a request as the fake received it.
type Request struct {
	At     time.Time // when it arrived
	Kind   string    // what the vendor's Kind made of it
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Intercept may answer a request itself, returning true; n counts the
// requests of the same kind so far, this one included.
type Intercept func(w http.ResponseWriter, r Request, n int) bool

// Server is a fake vendor API: every request is recorded, offered to the
// intercept and otherwise served by the vendor's handler.
type Server struct {
	URL string

	t         testing.TB
	api       http.Handler
	kind      func(r *http.Request, body []byte) string
	intercept Intercept

	mu   sync.Mutex
	reqs []Request
}

// NewServer starts a fake API served by api, whose requests kind sorts
// ("lookup", "page", …), and stops it when the test ends.
func NewServer(t testing.TB, api http.Handler, kind func(r *http.Request, body []byte) string, intercept Intercept) *Server {
	t.Helper()
	s := &Server{t: t, api: api, kind: kind, intercept: intercept}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// ServeHTTP records the request, then lets the intercept or the API answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := Request{At: time.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	if s.kind != nil {
		req.Kind = s.kind(r, body)
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	n := 0
	for _, q := range s.reqs {
		if q.Kind == req.Kind {
			n++
		}
	}
	s.mu.Unlock()
	if s.intercept != nil && s.intercept(w, req, n) {
		return
	}
	s.api.ServeHTTP(w, r)
}

// Requests returns the requests of kind received, in order.
func (s *Server) Requests(kind string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, q := range s.reqs {
		if q.Kind == kind {
			out = append(out, q)
		}
	}
	return out
}

// Count is the number of requests received in all.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// WriteJSON answers with status and a JSON body.
func WriteJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// HangUp drops the connection without an answer: a network error.
func HangUp(t testing.TB, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

// Path returns the requests received for path, in order.
func (s *Server) Path(path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, q := range s.reqs {
		if q.Path == path {
			out = append(out, q)
		}
	}
	return out
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeDesk is a helpdesk's API as its documentation shows it, for the
// calls ticket work makes: the agent looked up by email, the replies and
// notes read back, and the writes. Writes answer first as fail says for
// their kind, once: a status (429 with Retry-After, or 500) with nothing
// stored, or, with stored set, 500 after storing (an answer lost).
type fakeDesk struct {
	t      *testing.T
	srv    *httptest.Server
	vendor string

	mu     sync.Mutex
	fail   map[string]failure // by kind: reply, note, assign, status
	failed map[string]bool
	// parts are the stored replies and notes; changes the other writes.
	parts   []deskPart
	changes []string
	calls   []string
	// tokens counts the access tokens issued (Help Scout).
	tokens int
	// tickets are the tickets created (createticket_fake_test.go);
	// createFails how their creation fails first, in order; keys the
	// Idempotency-Keys Zendesk has seen, by the index of the ticket.
	tickets     []deskTicket
	createFails []failure
	keys        map[string]int
}

type failure struct {
	status int
	stored bool
}

type deskPart struct {
	kind, text string
	at         time.Time
}

func newFakeDesk(t *testing.T, vendor string, fail map[string]failure) *fakeDesk {
	f := &fakeDesk{t: t, vendor: vendor, fail: fail, failed: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// writes counts the stored writes of kind.
func (f *fakeDesk) writes(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, p := range f.parts {
		if p.kind == kind {
			n++
		}
	}
	for _, c := range f.changes {
		if strings.HasPrefix(c, kind+" ") {
			n++
		}
	}
	return n
}

// issued counts the access tokens issued (Help Scout).
func (f *fakeDesk) issued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens
}

func (f *fakeDesk) state() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("parts %+v changes %v calls %v", f.parts, f.changes, f.calls)
}

func (f *fakeDesk) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		q, _ := url.ParseQuery(string(b))
		body = map[string]any{}
		for k := range q {
			body[k] = q.Get(k)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	// write applies a write of kind, or fails it first as configured.
	write := func(kind, text, change string) {
		if fl, ok := f.fail[kind]; ok && !f.failed[kind] {
			f.failed[kind] = true
			if !fl.stored {
				if fl.status == http.StatusTooManyRequests {
					w.Header().Set("Retry-After", "1")
				}
				reply(fl.status, map[string]string{"error": "try later"})
				return
			}
			defer reply(fl.status, map[string]string{"error": "stored, but the answer failed"})
		} else {
			defer reply(200, map[string]any{"ok": true})
		}
		if change != "" {
			f.changes = append(f.changes, kind+" "+change)
			return
		}
		f.parts = append(f.parts, deskPart{kind: kind, text: text, at: time.Now()})
	}
	if f.creates(w, r, body, reply) {
		return
	}
	switch f.vendor {
	case "zendesk":
		f.zendesk(r, body, reply, write)
	case "intercom":
		f.intercom(r, body, reply, write)
	case "freshdesk":
		f.freshdesk(r, body, reply, write)
	case "helpscout":
		f.helpscout(r, body, reply, write)
	}
}

type replyFunc func(status int, v any)
type writeFunc func(kind, text, change string)

// zendesk: GET /api/v2/users/search.json, GET
// /api/v2/tickets/{id}/comments.json, PUT /api/v2/tickets/{id}.json.
func (f *fakeDesk) zendesk(r *http.Request, body map[string]any, reply replyFunc, write writeFunc) {
	switch {
	case r.Method == "GET" && r.URL.Path == "/api/v2/users/search.json":
		if r.URL.Query().Get("query") != "email:ana@acme.example" {
			reply(200, map[string]any{"users": []any{}})
			return
		}
		reply(200, map[string]any{"users": []any{map[string]any{"id": 7001, "email": "ana@acme.example", "name": "Ana", "role": "agent"}}})
	case r.Method == "GET" && r.URL.Path == "/api/v2/tickets/9003/comments.json":
		var cs []any
		for _, p := range f.parts {
			cs = append(cs, map[string]any{"body": p.text, "plain_body": p.text, "public": p.kind == "reply", "created_at": p.at.UTC().Format(time.RFC3339)})
		}
		reply(200, map[string]any{"comments": cs, "meta": map[string]any{"has_more": false}})
	case r.Method == "PUT" && r.URL.Path == "/api/v2/tickets/9003.json":
		t, _ := body["ticket"].(map[string]any)
		switch {
		case t["comment"] != nil:
			c := t["comment"].(map[string]any)
			if c["author_id"] != float64(7001) {
				f.t.Errorf("zendesk comment by %v, want Ana's 7001", c["author_id"])
			}
			kind := "note"
			if c["public"] == true {
				kind = "reply"
			}
			write(kind, fmt.Sprint(c["body"]), "")
		case t["assignee_id"] != nil:
			write("assign", "", fmt.Sprint(t["assignee_id"]))
		case t["status"] != nil:
			write("status", "", fmt.Sprint(t["status"]))
		default:
			reply(400, map[string]string{"error": "RecordInvalid"})
		}
	default:
		reply(404, map[string]string{"error": "RecordNotFound"})
	}
}

// intercom: GET /admins, GET /conversations/{id}, POST
// /conversations/{id}/reply and /parts.
func (f *fakeDesk) intercom(r *http.Request, body map[string]any, reply replyFunc, write writeFunc) {
	const conv = "/conversations/215473853299345"
	if r.Header.Get("Intercom-Version") == "" {
		f.t.Errorf("intercom %s without Intercom-Version", r.URL.Path)
	}
	switch {
	case r.Method == "GET" && r.URL.Path == "/admins":
		reply(200, map[string]any{"type": "admin.list", "admins": []any{map[string]any{"type": "admin", "id": "814860", "email": "ana@acme.example", "name": "Ana"}}})
	case r.Method == "GET" && r.URL.Path == conv:
		var ps []any
		for _, p := range f.parts {
			ps = append(ps, map[string]any{"type": "conversation_part", "part_type": map[bool]string{true: "comment", false: "note"}[p.kind == "reply"],
				"body": "<p>" + p.text + "</p>", "created_at": p.at.Unix(), "author": map[string]any{"type": "admin", "id": "814860"}})
		}
		reply(200, map[string]any{"type": "conversation", "id": "215473853299345",
			"conversation_parts": map[string]any{"type": "conversation_part.list", "conversation_parts": ps}})
	case r.Method == "POST" && r.URL.Path == conv+"/reply":
		if body["admin_id"] != "814860" || body["type"] != "admin" {
			f.t.Errorf("intercom reply %v", body)
		}
		kind := map[any]string{"comment": "reply", "note": "note"}[body["message_type"]]
		text := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(body["body"]), "<p>"), "</p>")
		write(kind, text, "")
	case r.Method == "POST" && r.URL.Path == conv+"/parts":
		switch body["message_type"] {
		case "assignment":
			write("assign", "", fmt.Sprint(body["assignee_id"]))
		case "close", "open", "snoozed":
			write("status", "", fmt.Sprint(body["message_type"]))
		default:
			reply(400, map[string]any{"type": "error.list"})
		}
	default:
		reply(404, map[string]any{"type": "error.list", "errors": []any{map[string]string{"code": "not_found"}}})
	}
}

// freshdesk: GET /api/v2/agents?email=, GET
// /api/v2/tickets/{id}/conversations, POST /api/v2/tickets/{id}/reply and
// /notes, PUT /api/v2/tickets/{id}.
func (f *fakeDesk) freshdesk(r *http.Request, body map[string]any, reply replyFunc, write writeFunc) {
	switch {
	case r.Method == "GET" && r.URL.Path == "/api/v2/agents":
		if r.URL.Query().Get("email") != "ana@acme.example" {
			reply(200, []any{})
			return
		}
		reply(200, []any{map[string]any{"id": 5001, "contact": map[string]any{"email": "ana@acme.example", "name": "Ana"}}})
	case r.Method == "GET" && r.URL.Path == "/api/v2/tickets/42/conversations":
		var cs []any
		for _, p := range f.parts {
			cs = append(cs, map[string]any{"body": "<div>" + p.text + "</div>", "body_text": p.text, "private": p.kind == "note",
				"created_at": p.at.UTC().Format(time.RFC3339)})
		}
		reply(200, cs)
	case r.Method == "POST" && (r.URL.Path == "/api/v2/tickets/42/reply" || r.URL.Path == "/api/v2/tickets/42/notes"):
		if body["user_id"] != float64(5001) {
			f.t.Errorf("freshdesk %s by %v", r.URL.Path, body["user_id"])
		}
		kind := "reply"
		if strings.HasSuffix(r.URL.Path, "/notes") {
			kind = "note"
		}
		write(kind, fmt.Sprint(body["body"]), "")
	case r.Method == "PUT" && r.URL.Path == "/api/v2/tickets/42":
		switch {
		case body["responder_id"] != nil:
			write("assign", "", fmt.Sprint(body["responder_id"]))
		case body["status"] != nil:
			write("status", "", fmt.Sprint(body["status"]))
		default:
			reply(400, map[string]string{"description": "Validation failed"})
		}
	default:
		reply(404, map[string]string{"code": "not_found"})
	}
}

// helpscout: POST /v2/oauth2/token (client credentials), GET
// /v2/users?email=, GET /v2/conversations/{id} and /threads, POST
// /v2/conversations/{id}/reply and /notes (201), PATCH
// /v2/conversations/{id} (204). Every call but the token's needs its
// bearer token; the first token issued is refused, as a revoked one.
func (f *fakeDesk) helpscout(r *http.Request, body map[string]any, reply replyFunc, write writeFunc) {
	const conv = "/v2/conversations/2391938111"
	if r.URL.Path == "/v2/oauth2/token" {
		if r.Method != "POST" || body["grant_type"] != "client_credentials" || body["client_id"] != "hs-app" || body["client_secret"] != "hs-secret" {
			reply(401, map[string]string{"error": "invalid_client"})
			return
		}
		f.tokens++
		reply(200, map[string]any{"token_type": "bearer", "access_token": fmt.Sprintf("hs-token-%d", f.tokens), "expires_in": 172800})
		return
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer hs-token-") || auth == "Bearer hs-token-1" {
		reply(401, map[string]string{"error": "invalid_token"})
		return
	}
	switch {
	case r.Method == "GET" && r.URL.Path == "/v2/users":
		var users []any
		if r.URL.Query().Get("email") == "ana@acme.example" {
			users = append(users, map[string]any{"id": 4001, "firstName": "Ana", "lastName": "Agent", "email": "ana@acme.example"})
		}
		reply(200, map[string]any{"_embedded": map[string]any{"users": users}, "page": map[string]any{"size": 50, "totalElements": len(users), "totalPages": 1, "number": 1}})
	case r.Method == "GET" && r.URL.Path == conv:
		reply(200, map[string]any{"id": 2391938111, "number": 349, "status": "active", "primaryCustomer": map[string]any{"id": 472611182, "email": "jane.doe@example.com"}})
	case r.Method == "GET" && r.URL.Path == conv+"/threads":
		ths := []any{}
		for i, p := range f.parts {
			ths = append(ths, map[string]any{"id": 9000 + i, "type": p.kind, "body": "<div>" + p.text + "</div>",
				"createdAt": p.at.UTC().Format(time.RFC3339), "createdBy": map[string]any{"id": 4001, "type": "user"}})
		}
		reply(200, map[string]any{"_embedded": map[string]any{"threads": ths}, "page": map[string]any{"size": 50, "totalElements": len(ths), "totalPages": 1, "number": 1}})
	case r.Method == "POST" && (r.URL.Path == conv+"/reply" || r.URL.Path == conv+"/notes"):
		kind := "note"
		if strings.HasSuffix(r.URL.Path, "/reply") {
			kind = "reply"
			if c, _ := body["customer"].(map[string]any); c["id"] != float64(472611182) {
				f.t.Errorf("helpscout reply to customer %v", body["customer"])
			}
		}
		if body["user"] != float64(4001) {
			f.t.Errorf("helpscout %s by %v", r.URL.Path, body["user"])
		}
		write(kind, fmt.Sprint(body["text"]), "")
	case r.Method == "PATCH" && r.URL.Path == conv:
		switch {
		case body["op"] == "replace" && body["path"] == "/assignTo":
			write("assign", "", fmt.Sprint(body["value"]))
		case body["op"] == "replace" && body["path"] == "/status":
			write("status", "", fmt.Sprint(body["value"]))
		default:
			reply(400, map[string]any{"message": "Bad request", "_embedded": map[string]any{"errors": []any{map[string]string{"path": "op", "message": "unsupported"}}}})
		}
	default:
		reply(404, map[string]any{"message": "Not found"})
	}
}

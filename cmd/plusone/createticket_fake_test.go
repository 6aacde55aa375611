package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// deskTicket is a ticket the fake helpdesk created.
type deskTicket struct {
	id, email, subject, text string
	at                       time.Time
}

// The ids the fake helpdesks give the ticket they create: those of the
// vendors' webhook samples, so that a sample is the created ticket's
// webhook.
var createdIDs = map[string]string{"zendesk": "9200", "intercom": "215473853299345", "freshdesk": "42", "helpscout": "2391938111"}

// created counts the tickets created.
func (f *fakeDesk) created() []deskTicket {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]deskTicket(nil), f.tickets...)
}

// store creates t, or fails first as createFails says: a status with
// nothing created (a 429 with Retry-After, a 500), or, stored set, a 500
// after creating it (an answer lost). ok is false when the answer was a
// failure, already written. Called with f.mu held.
func (f *fakeDesk) store(w http.ResponseWriter, reply replyFunc, t deskTicket) (deskTicket, bool) {
	var fl *failure
	if len(f.createFails) > 0 {
		fl = &f.createFails[0]
		f.createFails = f.createFails[1:]
	}
	if fl != nil && !fl.stored {
		if fl.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		reply(fl.status, map[string]string{"error": "try later"})
		return t, false
	}
	t.id, t.at = createdIDs[f.vendor], time.Now()
	f.tickets = append(f.tickets, t)
	if fl != nil {
		reply(fl.status, map[string]string{"error": "created, but the answer failed"})
		return t, false
	}
	return t, true
}

// creates answers the calls that create a ticket and look for one, as
// each vendor documents them; false for any other call. Called with f.mu
// held.
func (f *fakeDesk) creates(w http.ResponseWriter, r *http.Request, body map[string]any, reply replyFunc) bool {
	mine := func(email string) []deskTicket {
		var out []deskTicket
		for _, t := range f.tickets {
			if t.email == email {
				out = append(out, t)
			}
		}
		return out
	}
	switch {
	// Zendesk: POST /api/v2/tickets.json with an Idempotency-Key, answered
	// 201 {"ticket":{…}}; the same key again answers the same ticket, with
	// x-idempotency-lookup: hit, and creates nothing.
	case f.vendor == "zendesk" && r.Method == "POST" && r.URL.Path == "/api/v2/tickets.json":
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			f.t.Errorf("zendesk ticket created without an Idempotency-Key")
		}
		answer := func(t deskTicket) {
			reply(201, map[string]any{"ticket": map[string]any{"id": json64(t.id), "subject": t.subject, "status": "new",
				"url": "https://acme.zendesk.com/api/v2/tickets/" + t.id + ".json"}})
		}
		if i, ok := f.keys[key]; ok && key != "" {
			w.Header().Set("x-idempotency-lookup", "hit")
			answer(f.tickets[i])
			return true
		}
		tk, _ := body["ticket"].(map[string]any)
		req, _ := tk["requester"].(map[string]any)
		c, _ := tk["comment"].(map[string]any)
		if tk["submitter_id"] != float64(7001) || c["public"] != true {
			f.t.Errorf("zendesk ticket %v", tk)
		}
		t, ok := f.store(w, reply, deskTicket{email: fmt.Sprint(req["email"]), subject: fmt.Sprint(tk["subject"]), text: fmt.Sprint(c["body"])})
		if f.keys == nil {
			f.keys = map[string]int{}
		}
		if t.id != "" {
			f.keys[key] = len(f.tickets) - 1
		}
		if ok {
			answer(t)
		}
	// Freshdesk: GET /api/v2/tickets?email= lists her tickets; POST
	// /api/v2/tickets answers 201 with the ticket.
	case f.vendor == "freshdesk" && r.URL.Path == "/api/v2/tickets":
		ticket := func(t deskTicket) map[string]any {
			return map[string]any{"id": json64(t.id), "subject": t.subject, "status": 2, "created_at": t.at.UTC().Format(time.RFC3339)}
		}
		if r.Method == "GET" {
			list := []any{}
			for _, t := range mine(r.URL.Query().Get("email")) {
				list = append(list, ticket(t))
			}
			reply(200, list)
			return true
		}
		if body["status"] != float64(2) || body["description"] == nil {
			f.t.Errorf("freshdesk ticket %v", body)
		}
		if t, ok := f.store(w, reply, deskTicket{email: fmt.Sprint(body["email"]), subject: fmt.Sprint(body["subject"]), text: fmt.Sprint(body["description"])}); ok {
			reply(201, ticket(t))
		}
	// Help Scout: GET /v2/mailboxes; GET /v2/conversations?query=(email:"…");
	// POST /v2/conversations answers 201, the id in Resource-ID, no body.
	case f.vendor == "helpscout" && (r.URL.Path == "/v2/mailboxes" || r.URL.Path == "/v2/conversations"):
		if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "Bearer hs-token-") || auth == "Bearer hs-token-1" {
			reply(401, map[string]string{"error": "invalid_token"})
			return true
		}
		switch {
		case r.URL.Path == "/v2/mailboxes":
			reply(200, map[string]any{"_embedded": map[string]any{"mailboxes": []any{map[string]any{"id": 85, "name": "Support"}}},
				"page": map[string]any{"size": 50, "totalElements": 1, "totalPages": 1, "number": 1}})
		case r.Method == "GET":
			email := strings.TrimSuffix(strings.TrimPrefix(r.URL.Query().Get("query"), `(email:"`), `")`)
			list := []any{}
			for _, t := range mine(email) {
				list = append(list, map[string]any{"id": json64(t.id), "number": 349, "subject": t.subject, "status": "active",
					"createdAt": t.at.UTC().Format(time.RFC3339)})
			}
			reply(200, map[string]any{"_embedded": map[string]any{"conversations": list}, "page": map[string]any{"size": 50, "totalElements": len(list), "totalPages": 1, "number": 1}})
		default:
			cust, _ := body["customer"].(map[string]any)
			threads, _ := body["threads"].([]any)
			var first map[string]any
			if len(threads) == 1 {
				first, _ = threads[0].(map[string]any)
			}
			if body["mailboxId"] != float64(85) || body["type"] != "email" || first["type"] != "customer" || body["user"] != float64(4001) {
				f.t.Errorf("helpscout conversation %v", body)
			}
			if t, ok := f.store(w, reply, deskTicket{email: fmt.Sprint(cust["email"]), subject: fmt.Sprint(body["subject"]), text: fmt.Sprint(first["text"])}); ok {
				w.Header().Set("Resource-ID", t.id)
				w.Header().Set("Location", "https://api.helpscout.net/v2/conversations/"+t.id)
				w.WriteHeader(201)
			}
		}
	// Intercom: POST /contacts/search finds her contact; POST
	// /conversations/search her conversations since created_at; POST
	// /conversations answers the user_message with its conversation_id.
	case f.vendor == "intercom" && r.Method == "POST" && r.URL.Path == "/contacts/search":
		q, _ := body["query"].(map[string]any)
		data := []any{}
		if q["field"] == "email" && q["value"] == "jane.doe@example.com" {
			data = append(data, map[string]any{"type": "contact", "id": "6657abc1", "role": "user", "email": "jane.doe@example.com"})
		}
		reply(200, map[string]any{"type": "list", "data": data, "total_count": len(data)})
	case f.vendor == "intercom" && r.Method == "POST" && r.URL.Path == "/conversations/search":
		list := []any{}
		for _, t := range f.tickets {
			list = append(list, map[string]any{"type": "conversation", "id": t.id, "created_at": t.at.Unix(),
				"source": map[string]any{"type": "conversation", "body": "<p>" + strings.ReplaceAll(t.text, "\n", "</p><p>") + "</p>"}})
		}
		reply(200, map[string]any{"type": "conversation.list", "conversations": list, "total_count": len(list)})
	case f.vendor == "intercom" && r.Method == "POST" && r.URL.Path == "/conversations":
		from, _ := body["from"].(map[string]any)
		if from["type"] != "user" || from["id"] != "6657abc1" {
			f.t.Errorf("intercom conversation from %v", from)
		}
		text := fmt.Sprint(body["body"])
		subject, _, _ := strings.Cut(text, "\n")
		if t, ok := f.store(w, reply, deskTicket{email: "jane.doe@example.com", subject: subject, text: text}); ok {
			reply(200, map[string]any{"type": "user_message", "id": "403918330", "created_at": t.at.Unix(), "body": text,
				"message_type": "inapp", "conversation_id": t.id})
		}
	case f.vendor == "intercom" && r.Method == "GET" && r.URL.Path == "/me":
		reply(200, map[string]any{"type": "admin", "id": "991267", "app": map[string]any{"type": "app", "id_code": "abc1def2"}})
	default:
		return false
	}
	return true
}

// json64 is a numeric id as JSON has it.
func json64(id string) any {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return id
	}
	return n
}

package zendesk_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

// The kinds of request the fake helpdesk tells apart.
const (
	readComments = "comments"
	updateTicket = "update"
)

// helpdesk is a fake Zendesk account with tickets and their comments: GET
// /api/v2/tickets/{id}/comments.json (cursor pagination, oldest first) and
// PUT /api/v2/tickets/{id}.json adding a comment.
type helpdesk struct {
	*historytest.Server
	t *testing.T

	mu       sync.Mutex
	comments map[string][]comment // by ticket id
	hangs    int                  // PUTs still to record and then leave unanswered
}

type comment struct {
	Body   string
	Public bool
}

// newHelpdesk starts a fake account with ticket 5158 holding n comments;
// intercept, when set, may answer a request itself.
func newHelpdesk(t *testing.T, n int, intercept historytest.Intercept) *helpdesk {
	t.Helper()
	h := &helpdesk{t: t, comments: map[string][]comment{"5158": nil}}
	for i := range n {
		h.comments["5158"] = append(h.comments["5158"], comment{Body: fmt.Sprintf("Comment %d", i+1), Public: true})
	}
	kind := func(r *http.Request, _ []byte) string {
		if r.Method == http.MethodPut {
			return updateTicket
		}
		return readComments
	}
	h.Server = historytest.NewServer(t, http.HandlerFunc(h.serve), kind, intercept)
	return h
}

func (h *helpdesk) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte(apiEmail+"/token:"+apiToken)) {
		historytest.WriteJSON(w, http.StatusUnauthorized, `{"error":"Couldn't authenticate you"}`)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v2/tickets/")
	id, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(rest, "/comments.json"), ".json"), "/")
	h.mu.Lock()
	_, known := h.comments[id]
	h.mu.Unlock()
	if !ok || !known {
		historytest.WriteJSON(w, http.StatusNotFound, `{"error":"RecordNotFound","description":"Not found"}`)
		return
	}
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/comments.json"):
		h.page(w, r, id)
	case r.Method == http.MethodPut && r.URL.Path == "/api/v2/tickets/"+id+".json":
		var body struct {
			Ticket struct {
				Comment *struct {
					Body   string `json:"body"`
					Public *bool  `json:"public"`
				} `json:"comment"`
			} `json:"ticket"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Ticket.Comment == nil || body.Ticket.Comment.Public == nil {
			historytest.WriteJSON(w, http.StatusBadRequest, `{"error":"InvalidValue","description":"a comment with body and public is expected"}`)
			return
		}
		h.add(id, comment{Body: body.Ticket.Comment.Body, Public: *body.Ticket.Comment.Public})
		if h.hang() {
			// Recorded, but the answer never comes: the client times out.
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		historytest.WriteJSON(w, http.StatusOK, `{"ticket":{"id":`+id+`},"audit":{"events":[{"type":"Comment"}]}}`)
	default:
		historytest.WriteJSON(w, http.StatusNotFound, `{"error":"InvalidEndpoint"}`)
	}
}

// page serves one page of a ticket's comments, oldest first; the cursor is
// the offset.
func (h *helpdesk) page(w http.ResponseWriter, r *http.Request, id string) {
	size, err := strconv.Atoi(r.URL.Query().Get("page[size]"))
	if err != nil || size < 1 || size > 100 {
		historytest.WriteJSON(w, http.StatusBadRequest, `{"error":"InvalidPaginationParameter"}`)
		return
	}
	from := 0
	if c := r.URL.Query().Get("page[after]"); c != "" {
		from, _ = strconv.Atoi(strings.TrimPrefix(c, "after-"))
	}
	h.mu.Lock()
	all := h.comments[id]
	h.mu.Unlock()
	to := min(from+size, len(all))
	type out struct {
		ID        int    `json:"id"`
		Body      string `json:"body"`
		HTMLBody  string `json:"html_body"`
		PlainBody string `json:"plain_body"`
		Public    bool   `json:"public"`
	}
	var page struct {
		Comments []out `json:"comments"`
		Meta     struct {
			HasMore     bool   `json:"has_more"`
			AfterCursor string `json:"after_cursor,omitempty"`
		} `json:"meta"`
	}
	page.Comments = []out{}
	for i, c := range all[min(from, to):to] {
		page.Comments = append(page.Comments, out{ID: from + i + 1, Body: c.Body, HTMLBody: "<div><p>" + c.Body + "</p></div>", PlainBody: c.Body, Public: c.Public})
	}
	if to < len(all) {
		page.Meta.HasMore, page.Meta.AfterCursor = true, "after-"+strconv.Itoa(to)
	}
	b, _ := json.Marshal(page)
	historytest.WriteJSON(w, http.StatusOK, string(b))
}

func (h *helpdesk) add(id string, c comment) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.comments[id] = append(h.comments[id], c)
}

func (h *helpdesk) hang() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hangs > 0 {
		h.hangs--
		return true
	}
	return false
}

// notes returns the comments of ticket id that contain s.
func (h *helpdesk) notes(id, s string) []comment {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []comment
	for _, c := range h.comments[id] {
		if strings.Contains(c.Body, s) {
			out = append(out, c)
		}
	}
	return out
}

// api returns a client of the fake, with short backoffs.
func (h *helpdesk) api(opts ...option.Option) *zendesk.API {
	return zendesk.NewAPI(h.URL, apiEmail, apiToken, append([]option.Option{option.WithRetryWait(10 * time.Millisecond)}, opts...)...)
}

const (
	marker = "[plusone request 42]"
	note   = "Granted: free shipping, $12.00, by Sam for Jane Doe. " + marker
)

// onlyNote checks that ticket 5158 holds the note once, as an internal
// note.
func onlyNote(t *testing.T, h *helpdesk) {
	t.Helper()
	got := h.notes("5158", marker)
	if len(got) != 1 {
		t.Fatalf("ticket 5158 holds the note %d times, want once", len(got))
	}
	if got[0].Body != note || got[0].Public {
		t.Errorf("note = %+v, want %q, private", got[0], note)
	}
}

func TestAddInternalNote(t *testing.T) {
	t.Parallel()
	// 150 comments: two pages, the newest last.
	h := newHelpdesk(t, 150, nil)
	api := h.api()
	if err := api.AddInternalNote(t.Context(), " 5158 ", note, marker); err != nil {
		t.Fatal(err)
	}
	onlyNote(t, h)
	reads := h.Requests(readComments)
	if len(reads) != 2 || reads[0].Query.Get("page[size]") != "100" || reads[0].Query.Get("page[after]") != "" ||
		reads[1].Query.Get("page[after]") != "after-100" || reads[0].Path != "/api/v2/tickets/5158/comments.json" {
		t.Errorf("comment reads = %+v, want two pages of 100 of /api/v2/tickets/5158/comments.json", reads)
	}
	puts := h.Requests(updateTicket)
	if len(puts) != 1 || puts[0].Path != "/api/v2/tickets/5158.json" ||
		string(puts[0].Body) != `{"ticket":{"comment":{"body":"`+note+`","public":false}}}` {
		t.Errorf("updates = %+v, want one PUT /api/v2/tickets/5158.json with the private comment", puts)
	}

	// The same note again, as the write-back worker's retry sends it: the
	// marker is found on the last page, nothing is added.
	if err := api.AddInternalNote(t.Context(), "5158", note, marker); err != nil {
		t.Fatal(err)
	}
	onlyNote(t, h)
	if n := len(h.Requests(updateTicket)); n != 1 {
		t.Errorf("made %d updates in all, want 1", n)
	}
}

func TestAddInternalNoteAppendsTheMarker(t *testing.T) {
	t.Parallel()
	h := newHelpdesk(t, 0, nil)
	for range 2 {
		if err := h.api().AddInternalNote(t.Context(), "5158", "Granted: free shipping.\n", marker); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.notes("5158", marker); len(got) != 1 || got[0].Body != "Granted: free shipping.\n\n"+marker {
		t.Errorf("notes = %+v, want one with the marker on its own line", got)
	}
}

// TestAddInternalNoteAfterServerError: a PUT answered 500 (and not
// applied) is sent again after the comments are read again.
func TestAddInternalNoteAfterServerError(t *testing.T) {
	t.Parallel()
	h := newHelpdesk(t, 3, func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Kind == updateTicket && n == 1 {
			historytest.WriteJSON(w, http.StatusInternalServerError, `{"error":"InternalError"}`)
			return true
		}
		return false
	})
	if err := h.api().AddInternalNote(t.Context(), "5158", note, marker); err != nil {
		t.Fatal(err)
	}
	onlyNote(t, h)
	if r, u := len(h.Requests(readComments)), len(h.Requests(updateTicket)); r != 2 || u != 2 {
		t.Errorf("made %d comment reads and %d updates, want 2 and 2", r, u)
	}
}

// TestAddInternalNoteAfterTimeout: Zendesk adds the note but the answer
// comes after the client's timeout. The note is never added twice: the
// retry finds it, whether the client retries (the same call succeeds) or
// the caller does (its next call succeeds).
func TestAddInternalNoteAfterTimeout(t *testing.T) {
	t.Parallel()
	t.Run("the client retries", func(t *testing.T) {
		t.Parallel()
		h := newHelpdesk(t, 3, nil)
		h.hangs = 1
		if err := h.api(option.WithTimeout(100*time.Millisecond)).AddInternalNote(t.Context(), "5158", note, marker); err != nil {
			t.Fatal(err)
		}
		onlyNote(t, h)
		if r, u := len(h.Requests(readComments)), len(h.Requests(updateTicket)); r != 2 || u != 1 {
			t.Errorf("made %d comment reads and %d updates, want 2 and 1", r, u)
		}
	})
	t.Run("the caller retries", func(t *testing.T) {
		t.Parallel()
		h := newHelpdesk(t, 3, nil)
		h.hangs = 1
		api := h.api(option.WithTimeout(100*time.Millisecond), option.WithRetries(0))
		err := api.AddInternalNote(t.Context(), "5158", note, marker)
		if code := plusone.ErrorCode(err); err == nil || code == plusone.EINVALID || code == plusone.EUNAUTHORIZED {
			t.Fatalf("first call = %v (code %q), want an error worth retrying", err, code)
		}
		if err := api.AddInternalNote(t.Context(), "5158", note, marker); err != nil {
			t.Fatalf("retried call: %v", err)
		}
		onlyNote(t, h)
		if n := len(h.Requests(updateTicket)); n != 1 {
			t.Errorf("made %d updates, want 1", n)
		}
	})
}

func TestAddInternalNoteWaitsOutRetryAfter(t *testing.T) {
	t.Parallel()
	var sent historytest.Stamp
	h := newHelpdesk(t, 0, func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Kind == updateTicket && n == 1 {
			w.Header().Set("Retry-After", "1")
			sent.Set()
			historytest.WriteJSON(w, http.StatusTooManyRequests, `{"error":"TooManyRequests"}`)
			return true
		}
		return false
	})
	if err := h.api().AddInternalNote(t.Context(), "5158", note, marker); err != nil {
		t.Fatal(err)
	}
	onlyNote(t, h)
	puts := h.Requests(updateTicket)
	if len(puts) != 2 {
		t.Fatalf("made %d updates, want 2", len(puts))
	}
	if gap := puts[1].At.Sub(sent.Get()); gap < time.Second {
		t.Errorf("the retry came %v after the 429; Retry-After asked for 1s", gap)
	}
}

func TestAddInternalNoteErrors(t *testing.T) {
	t.Parallel()
	closed := func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Kind != updateTicket {
			return false
		}
		historytest.WriteJSON(w, http.StatusUnprocessableEntity, `{"error":"RecordInvalid","description":"Record validation errors","details":{"status":[{"description":"Status: closed prevents ticket update"}]}}`)
		return true
	}
	failing := func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Kind != updateTicket {
			return false
		}
		historytest.WriteJSON(w, http.StatusServiceUnavailable, `{"error":"Unavailable"}`)
		return true
	}
	tests := []struct {
		name      string
		intercept historytest.Intercept
		token     string
		ticket    string
		marker    string
		code      string
		msg       string
		requests  int
	}{
		{"unknown ticket", nil, apiToken, "9999", marker, plusone.EINVALID, "Zendesk has no ticket 9999", 1},
		{"not a ticket id", nil, apiToken, "../users/1", marker, plusone.EINVALID, "is not a Zendesk ticket id", 0},
		{"no marker", nil, apiToken, "5158", " ", plusone.EINVALID, "needs a marker", 0},
		{"closed ticket", closed, apiToken, "5158", marker, plusone.EINVALID, "Record validation errors; Status: closed prevents ticket update", 2},
		{"refused credentials", nil, "wrong-token", "5158", marker, plusone.EUNAUTHORIZED, "check PLUSONE_ZENDESK_EMAIL", 1},
		// Each of the three attempts reads the comments first.
		{"retries spent", failing, apiToken, "5158", marker, plusone.EUNAVAILABLE, "Zendesk answered HTTP 503", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHelpdesk(t, 1, tt.intercept)
			api := zendesk.NewAPI(h.URL, apiEmail, tt.token, option.WithRetryWait(time.Millisecond), option.WithRetries(2))
			err := api.AddInternalNote(t.Context(), tt.ticket, note, tt.marker)
			eventtest.AssertError(t, err, tt.code, tt.msg)
			if err != nil && strings.Contains(err.Error(), tt.token) {
				t.Errorf("the error shows the token: %v", err)
			}
			if n := h.Count(); n != tt.requests {
				t.Errorf("made %d requests, want %d", n, tt.requests)
			}
			if got := h.notes("5158", marker); len(got) != 0 {
				t.Errorf("notes = %+v, want none", got)
			}
		})
	}
}

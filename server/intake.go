package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// secretHeaders are never stored with an event.
var secretHeaders = []string{"Authorization", "Cookie", "Proxy-Authorization", "X-Plusone-Token"}

// webhookAnswer is the body of a successful webhook answer.
type webhookAnswer struct {
	OK        bool  `json:"ok"`
	ID        int64 `json:"id"`
	Duplicate bool  `json:"duplicate"`
}

// appendJSON appends a as json.Encoder writes it (a newline ends it):
// encode writes it so, without reflection.
func (a webhookAnswer) appendJSON(b []byte) []byte {
	b = append(b, `{"ok":`...)
	b = strconv.AppendBool(b, a.OK)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, a.ID, 10)
	b = append(b, `,"duplicate":`...)
	b = strconv.AppendBool(b, a.Duplicate)
	return append(b, "}\n"...)
}

// handleWebhook takes POST /webhooks/{source}: size limit, signature,
// validation, durable storage, and only then an answer.
func (s *Server) handleWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := plusone.Source(r.PathValue("source"))
		src, ok := s.Sources[name]
		if !ok {
			s.reject(w, name, "unknown_source", http.StatusNotFound, s.unknownSource(name))
			return
		}
		body, ok := s.readBody(w, r, name)
		if !ok {
			return
		}
		status, answer := s.Accept(r.Context(), src, r.Header, body, true)
		encode(w, status, answer)
	})
}

// readBody reads a webhook body within the size limit, answering 413 or
// 400 itself when it cannot.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, name plusone.Source) ([]byte, bool) {
	if r.ContentLength > s.MaxBody {
		s.reject(w, name, "too_large", http.StatusRequestEntityTooLarge,
			fmt.Sprintf("body of %d bytes is over the limit of %d", r.ContentLength, s.MaxBody))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBody))
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			s.reject(w, name, "too_large", http.StatusRequestEntityTooLarge,
				fmt.Sprintf("body is over the limit of %d bytes", s.MaxBody))
			return nil, false
		}
		s.reject(w, name, "invalid", http.StatusBadRequest, "could not read body: "+err.Error())
		return nil, false
	}
	return body, true
}

// Accept takes one delivery of src: its signature (unless the transport
// already authenticated it, as Socket Mode does), validation, durable
// storage. It returns the status and the JSON body to answer.
func (s *Server) Accept(ctx context.Context, src plusone.Integration, h http.Header, body []byte, verify bool) (int, any) {
	name := src.Source()
	now := s.Clock()
	if verify {
		if err := src.Verify(h, body, now); err != nil {
			return s.refuse(name, "unauthorized", http.StatusUnauthorized, plusone.ErrorMessage(err))
		}
	}
	d, err := src.Parse(h, body)
	if err != nil {
		return s.refuse(name, "invalid", http.StatusBadRequest, plusone.ErrorMessage(err))
	}
	if d.Reply != nil {
		return http.StatusOK, d.Reply
	}
	ev := &plusone.RawEvent{Source: name, DedupeKey: d.DedupeKey, Headers: storedHeaders(h), Body: body, ReceivedAt: now}
	dup, err := s.store(ev)
	if err != nil {
		s.Log.Error("store webhook event", "source", name, "err", err)
		return s.refuse(name, "unavailable", http.StatusServiceUnavailable, "cannot store the event now; retry later")
	}
	debug := s.Log.Enabled(ctx, slog.LevelDebug) // spares every webhook the boxing of the arguments
	if dup {
		s.Metrics.Events.WithLabelValues(string(name), "duplicate").Inc()
		if debug {
			s.Log.Debug("webhook duplicate", "source", name, "event_id", ev.ID, "dedupe_key", d.DedupeKey)
		}
		return http.StatusOK, webhookAnswer{OK: true, ID: ev.ID, Duplicate: true}
	}
	s.Metrics.Events.WithLabelValues(string(name), "accepted").Inc()
	if debug {
		s.Log.Debug("webhook stored", "source", name, "event_id", ev.ID, "dedupe_key", d.DedupeKey, "bytes", len(body))
	}
	if s.Stored != nil {
		s.Stored()
	}
	return http.StatusAccepted, webhookAnswer{OK: true, ID: ev.ID}
}

// store appends ev within IntakeTimeout (see deadline). The delivery's
// own context is left aside: once the event is on its way to the disk,
// a sender that hangs up changes nothing, and its retry is a duplicate.
func (s *Server) store(ev *plusone.RawEvent) (bool, error) {
	return s.Store.AppendEvent(s.deadline(time.Now()), ev)
}

// intakeDeadline is a context that the deliveries of one slice of time
// share.
type intakeDeadline struct {
	ctx    context.Context
	cancel context.CancelFunc // never called: its deadline ends it
	until  time.Time          // the end of the slice
}

// deadlineSlices is how many slices a timeout has.
const deadlineSlices = 20

// deadline returns the context a delivery arriving at now stores its event
// within: the deliveries of a slice of time (a twentieth of the timeout)
// share one, whose deadline is a timeout after the slice ends. Each thus
// waits at least the timeout and at most a twentieth longer, and a busy
// intake makes 20 contexts a timeout where one per delivery was, under
// load, the costliest thing in intake after the body and the disk (a
// timer set and stopped, and a child of the request's context, for each).
// now is the wall clock, never the server's (a test's) Clock.
func (s *Server) deadline(now time.Time) context.Context {
	if d := s.shared.Load(); d != nil && now.Before(d.until) {
		return d.ctx
	}
	timeout := s.IntakeTimeout
	if timeout <= 0 {
		timeout = DefaultIntakeTimeout
	}
	d := &intakeDeadline{until: now.Add(timeout / deadlineSlices)}
	d.ctx, d.cancel = context.WithDeadline(context.Background(), d.until.Add(timeout))
	s.shared.Store(d) // deliveries that race here each take their own; the last stays
	return d.ctx
}

// handleWebhookProbe answers a vendor's check of the URL: 200 for a
// configured source, 404 otherwise; nothing is stored.
func (s *Server) handleWebhookProbe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := plusone.Source(r.PathValue("source"))
		if _, ok := s.Sources[name]; !ok {
			fail(w, http.StatusNotFound, s.unknownSource(name))
			return
		}
		encode(w, http.StatusOK, map[string]any{"ok": true, "source": name})
	})
}

func (s *Server) unknownSource(name plusone.Source) string {
	if slices.Contains(s.Known, name) {
		return fmt.Sprintf("source %q is not configured: set PLUSONE_%s_WEBHOOK_SECRET", name, strings.ToUpper(string(name)))
	}
	return fmt.Sprintf("unknown source %q", name)
}

func (s *Server) reject(w http.ResponseWriter, source plusone.Source, reason string, status int, msg string) {
	status, body := s.refuse(source, reason, status, msg)
	encode(w, status, body)
}

// refuse counts and logs a refused delivery and returns its answer.
func (s *Server) refuse(source plusone.Source, reason string, status int, msg string) (int, any) {
	label := string(source)
	if _, ok := s.Sources[source]; !ok && !slices.Contains(s.Known, source) && source != plusone.SourceSlack {
		label = "unknown" // bounded label values, whatever the path says
	}
	s.Metrics.Rejects.WithLabelValues(label, reason).Inc()
	s.Log.Warn("webhook rejected", "source", label, "reason", reason, "status", status, "error", msg)
	return status, errorBody{Error: msg}
}

// storedHeaders returns h without its secrets. The values are shared, not
// copied: nothing writes to a request's headers once it is read.
func storedHeaders(h http.Header) http.Header {
	out := maps.Clone(h)
	for _, k := range secretHeaders {
		out.Del(k)
	}
	return out
}

// Package metrics holds plusone's Prometheus metrics. One Metrics value is
// made at start and handed to every component that records something.
// Every series whose label values are known at start is created then, at
// zero, so that rates and alerts work from the first scrape.
package metrics

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/plusone-hq/plusone"
)

// Metrics are the service's counters, histograms and gauges.
type Metrics struct {
	Registry *prometheus.Registry

	// Events counts webhook deliveries taken in, by source and outcome:
	// accepted (stored, new) or duplicate (a redelivery of a stored one).
	// It is plusone_events_total, which until issue 13 also counted the
	// processing outcomes below under the same name: each event was
	// counted twice.
	Events *prometheus.CounterVec
	// Processed counts events handled by the workers, by source and
	// outcome: processed, retried, parked.
	Processed *prometheus.CounterVec
	// Rejects counts refused webhook requests by source and reason:
	// unauthorized, invalid, too_large, unknown_source, unavailable.
	Rejects *prometheus.CounterVec
	// Processing observes the time from receiving an event to having applied
	// it, by source.
	Processing *prometheus.HistogramVec
	// CardLatency observes the time from the change of a card to Slack (or
	// the terminal) showing it.
	CardLatency prometheus.Histogram
	// SlackDeliveries counts Slack calls by method and outcome: ok,
	// rate_limited, transient, permanent.
	SlackDeliveries *prometheus.CounterVec
	// Backfills counts history back-fill jobs by source and outcome: done,
	// retried, parked.
	Backfills *prometheus.CounterVec
	// BackfilledEvents counts events a back-fill brought in, by source.
	BackfilledEvents *prometheus.CounterVec
	// Enrichments counts vendor lookups that complete events, by source
	// and outcome: ok, failed.
	Enrichments *prometheus.CounterVec
	// Gestures counts gesture decisions by outcome: granted,
	// pending_approval, refused, approved, declined, expired.
	Gestures *prometheus.CounterVec
	// Spend counts the money granted gestures charge, by the scope of the
	// budget they draw on: agent, team, customer (in the policy's
	// currency).
	Spend *prometheus.CounterVec
	// LLMCalls counts calls to the model by outcome: ok, failed.
	LLMCalls *prometheus.CounterVec
	// LLMFailures counts failed calls by reason: timeout, refusal,
	// invalid, error.
	LLMFailures *prometheus.CounterVec
	// LLMSkipped counts calls not made, by reason (budget).
	LLMSkipped *prometheus.CounterVec
	// LLMGuardDrops counts the model's texts the output guard dropped, by
	// what they were and why.
	LLMGuardDrops *prometheus.CounterVec
	// LLMTokens counts the model's tokens by kind: prompt, completion.
	LLMTokens *prometheus.CounterVec
	// LLMLatency observes how long the model's calls take, failed ones
	// included.
	LLMLatency prometheus.Histogram
	// VendorCalls counts vendor API calls by vendor and status (see
	// statusLabel).
	VendorCalls *prometheus.CounterVec
	// VendorLatency observes how long vendor API calls take, by vendor.
	VendorLatency *prometheus.HistogramVec
	// Escalations counts escalation timers by outcome: fired (a ticket
	// escalated), answered, status, unmatched (cancelled: an agent
	// replied, the ticket's status changed, no rule matches any more).
	Escalations *prometheus.CounterVec
}

// Labels are the label values known at start, whose series are created at
// zero.
type Labels struct {
	// Sources are the webhook sources whose endpoint is open.
	Sources []plusone.Source
	// Version is the build's version, for plusone_build_info.
	Version string
	// JobKinds are the kinds of jobs, each a queue of its own in the
	// queue gauges (at zero while none is pending).
	JobKinds []string
}

// Queues reports the durable queues on each scrape (plusone.Store does).
type Queues interface {
	Queues(ctx context.Context) ([]plusone.QueueGauge, error)
}

// New registers every metric, the Go and process collectors, and, when q
// is set, gauges that read the queues when Prometheus scrapes.
func New(q Queues, l Labels) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_events_total", Help: "Webhook deliveries taken in, by source and outcome (accepted, duplicate).",
		}, []string{"source", "outcome"}),
		Processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_events_processed_total", Help: "Events handled by the workers, by source and outcome (processed, retried, parked).",
		}, []string{"source", "outcome"}),
		Rejects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_webhook_rejects_total", Help: "Refused webhook requests by source and reason.",
		}, []string{"source", "reason"}),
		Processing: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "plusone_event_processing_seconds",
			Help:    "Time from receiving an event to having applied it.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"source"}),
		CardLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "plusone_card_delivery_seconds",
			Help:    "Time from a change of a context card to Slack showing it.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}),
		SlackDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_slack_deliveries_total", Help: "Slack calls by method and outcome.",
		}, []string{"method", "outcome"}),
		Backfills: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_backfills_total", Help: "History back-fill jobs by source and outcome.",
		}, []string{"source", "outcome"}),
		BackfilledEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_backfilled_events_total", Help: "Events brought in by history back-fills, by source.",
		}, []string{"source"}),
		Enrichments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_enrichments_total", Help: "Vendor lookups completing events, by source and outcome.",
		}, []string{"source", "outcome"}),
		Gestures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_gestures_total", Help: "Gesture decisions by outcome.",
		}, []string{"outcome"}),
		Spend: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_spend_total", Help: "Money charged by granted gestures, by budget scope (agent, team, customer).",
		}, []string{"scope"}),
		LLMCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_llm_calls_total", Help: "Calls to the model by outcome (ok, failed).",
		}, []string{"outcome"}),
		LLMFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_llm_failures_total", Help: "Failed calls to the model by reason (timeout, refusal, invalid: not the JSON asked for, error).",
		}, []string{"reason"}),
		LLMSkipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_llm_skipped_total", Help: "Calls to the model not made, by reason (budget: the day's tokens are spent).",
		}, []string{"reason"}),
		LLMGuardDrops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_llm_guard_drops_total", Help: "Texts of the model dropped by the output guard, by what (reason, note, reply) and failure.",
		}, []string{"what", "failure"}),
		LLMTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_llm_tokens_total", Help: "The model's tokens by kind (prompt, completion).",
		}, []string{"kind"}),
		LLMLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "plusone_llm_seconds",
			Help:    "How long the model's calls take.",
			Buckets: []float64{.1, .25, .5, 1, 2, 4, 8, 15, 30},
		}),
		VendorCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_vendor_api_calls_total",
			Help: "Vendor API calls by vendor and status (401, 403, 404, 429, else 2xx, 3xx, 4xx, 5xx; none: no answer).",
		}, []string{"vendor", "status"}),
		VendorLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "plusone_vendor_api_seconds",
			Help:    "How long vendor API calls take, by vendor.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 15},
		}, []string{"vendor"}),
		Escalations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_escalations_total",
			Help: "Escalation timers by outcome (fired; cancelled as answered, status, unmatched).",
		}, []string{"outcome"}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "plusone_build_info", Help: "Always 1; the build's version and Go version as labels.",
	}, []string{"version", "goversion"})
	build.WithLabelValues(l.Version, runtime.Version()).Set(1)
	reg.MustRegister(m.Events, m.Processed, m.Rejects, m.Processing, m.CardLatency, m.SlackDeliveries, m.Backfills,
		m.BackfilledEvents, m.Enrichments, m.Gestures, m.Spend, m.LLMCalls, m.LLMFailures, m.LLMSkipped, m.LLMGuardDrops, m.LLMTokens, m.LLMLatency, m.VendorCalls, m.VendorLatency, m.Escalations, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.zero(l)
	if q != nil {
		reg.MustRegister(newQueueCollector(q, l.JobKinds))
	}
	return m
}

// zero creates the series whose label values are known.
func (m *Metrics) zero(l Labels) {
	for _, s := range l.Sources {
		src := string(s)
		for _, o := range []string{"accepted", "duplicate"} {
			m.Events.WithLabelValues(src, o)
		}
		for _, o := range []string{"processed", "retried", "parked"} {
			m.Processed.WithLabelValues(src, o)
		}
		for _, r := range []string{"unauthorized", "invalid", "too_large", "unavailable"} {
			m.Rejects.WithLabelValues(src, r)
		}
		m.Processing.WithLabelValues(src)
	}
	for _, o := range []plusone.LedgerStatus{plusone.StatusGranted, plusone.StatusPendingApproval, plusone.StatusRefused,
		plusone.StatusApproved, plusone.StatusDeclined, plusone.StatusExpired} {
		m.Gestures.WithLabelValues(string(o))
	}
	for _, s := range []string{"agent", "team", "customer"} {
		m.Spend.WithLabelValues(s)
	}
	for _, o := range []string{"ok", "failed"} {
		m.LLMCalls.WithLabelValues(o)
	}
	for _, r := range []string{"timeout", "refusal", "invalid", "error"} { // prompts.Outcome
		m.LLMFailures.WithLabelValues(r)
	}
	for _, r := range []string{"budget"} {
		m.LLMSkipped.WithLabelValues(r)
	}
	for _, w := range []string{"reason", "note", "reply"} {
		for _, f := range plusone.GuardFailures() {
			m.LLMGuardDrops.WithLabelValues(w, string(f))
		}
	}
	for _, k := range []string{"prompt", "completion"} {
		m.LLMTokens.WithLabelValues(k)
	}
	for _, o := range []plusone.EscalationVerdict{plusone.EscalationFire, plusone.EscalationAnswered, plusone.EscalationStatus,
		plusone.EscalationUnmatched} {
		m.Escalations.WithLabelValues(escalationOutcome(o))
	}
	for _, method := range []string{"chat.postMessage", "chat.update"} {
		for _, o := range []string{"ok", "rate_limited", "transient", "permanent"} {
			m.SlackDeliveries.WithLabelValues(method, o)
		}
	}
}

// Decided counts a gesture decision, and what a grant charges each
// budget scope it draws on (team only for an agent in a team).
func (m *Metrics) Decided(e plusone.LedgerEntry) {
	if m == nil {
		return
	}
	// The spend moves before the decision is counted, so a scrape that
	// sees the decision also sees what it charged.
	if e.Charge > 0 {
		v := float64(e.Charge) / 100
		m.Spend.WithLabelValues("agent").Add(v)
		m.Spend.WithLabelValues("customer").Add(v)
		if e.Team != "" {
			m.Spend.WithLabelValues("team").Add(v)
		}
	}
	m.Gestures.WithLabelValues(string(e.Status)).Inc()
}

// Escalation counts what became of an escalation timer: fired, or
// cancelled and why.
func (m *Metrics) Escalation(v plusone.EscalationVerdict) {
	if m == nil || v == plusone.EscalationWait {
		return
	}
	m.Escalations.WithLabelValues(escalationOutcome(v)).Inc()
}

func escalationOutcome(v plusone.EscalationVerdict) string {
	if v == plusone.EscalationFire {
		return "fired"
	}
	return string(v)
}

// LLMCall records one call to the model: how long it took, its tokens,
// and its outcome (prompts.Outcome: ok, or why it failed: timeout,
// refusal, invalid, error).
func (m *Metrics) LLMCall(took time.Duration, promptTokens, completionTokens int, outcome string) {
	if m == nil {
		return
	}
	if outcome == "ok" {
		m.LLMCalls.WithLabelValues("ok").Inc()
	} else {
		m.LLMCalls.WithLabelValues("failed").Inc()
		m.LLMFailures.WithLabelValues(outcome).Inc()
	}
	m.LLMLatency.Observe(took.Seconds())
	m.LLMTokens.WithLabelValues("prompt").Add(float64(promptTokens))
	m.LLMTokens.WithLabelValues("completion").Add(float64(completionTokens))
}

// LLMSkip counts a call to the model not made, by reason.
func (m *Metrics) LLMSkip(reason string) {
	if m == nil {
		return
	}
	m.LLMSkipped.WithLabelValues(reason).Inc()
}

// LLMGuardDrop counts a text of the model the output guard dropped: what
// it was (reason, note, reply) and why.
func (m *Metrics) LLMGuardDrop(what string, f plusone.GuardFailure) {
	if m == nil {
		return
	}
	m.LLMGuardDrops.WithLabelValues(what, string(f)).Inc()
}

// Vendors creates, at zero, the series of the vendors whose API clients
// are configured ("zendesk"): every status statusLabel gives.
func (m *Metrics) Vendors(names ...string) {
	for _, v := range names {
		for _, st := range []string{"2xx", "3xx", "401", "403", "404", "429", "4xx", "5xx", "none"} {
			m.VendorCalls.WithLabelValues(v, st)
		}
		m.VendorLatency.WithLabelValues(v)
	}
}

// APICall counts one vendor API call (plusone.APICalls): status 0 is a
// call that got no answer.
func (m *Metrics) APICall(vendor string, status int, took time.Duration) {
	m.VendorCalls.WithLabelValues(vendor, statusLabel(status)).Inc()
	m.VendorLatency.WithLabelValues(vendor).Observe(took.Seconds())
}

// statusLabel keeps the statuses an operator acts on apart (credentials,
// a wrong URL, throttling) and counts the others by class, so the label
// has few values.
func statusLabel(status int) string {
	switch {
	case status == 401, status == 403, status == 404, status == 429:
		return strconv.Itoa(status)
	case status >= 200 && status < 600:
		return strconv.Itoa(status/100) + "xx"
	default:
		return "none"
	}
}

// queueCollector reads the queues on each scrape: their depth, the age of
// their oldest item, and the pending approvals.
type queueCollector struct {
	q                     Queues
	kinds                 []string
	depth, age, approvals *prometheus.Desc
}

func newQueueCollector(q Queues, kinds []string) *queueCollector {
	return &queueCollector{q: q, kinds: kinds,
		depth: prometheus.NewDesc("plusone_queue_depth", "Items waiting in plusone's durable queues.", []string{"queue"}, nil),
		age: prometheus.NewDesc("plusone_queue_oldest_seconds",
			"Age of the oldest item waiting in each queue; 0 when none waits.", []string{"queue"}, nil),
		approvals: prometheus.NewDesc("plusone_pending_approvals", "Gesture requests waiting for a supervisor.", nil, nil),
	}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.age
	ch <- c.approvals
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	queues, err := c.q.Queues(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	for _, k := range c.kinds {
		if !slices.ContainsFunc(queues, func(q plusone.QueueGauge) bool { return q.Queue == k }) {
			queues = append(queues, plusone.QueueGauge{Queue: k})
		}
	}
	now := time.Now()
	for _, q := range queues {
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(q.Depth), q.Queue)
		age := 0.0
		if q.Depth > 0 && !q.Oldest.IsZero() {
			age = max(0, now.Sub(q.Oldest).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age, q.Queue)
		if q.Queue == plusone.QueueApprovals {
			ch <- prometheus.MustNewConstMetric(c.approvals, prometheus.GaugeValue, float64(q.Depth))
		}
	}
}

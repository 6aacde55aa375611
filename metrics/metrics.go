// Package metrics holds plusone's Prometheus metrics. One Metrics value is
// made at start and handed to every component that records something.
package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the service's counters, histograms and gauges.
type Metrics struct {
	Registry *prometheus.Registry

	// Events counts webhook events by source and outcome: accepted,
	// duplicate, processed, retried, parked.
	Events *prometheus.CounterVec
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
}

// QueueStats reports queue depths on each scrape.
type QueueStats interface {
	// QueueDepths returns events waiting, events parked, cards waiting and
	// cards failed.
	QueueDepths(ctx context.Context) (pending, parked, cardsPending, cardsFailed int, err error)
}

// New registers every metric, the Go and process collectors, and gauges
// that read queue depths from q when Prometheus scrapes.
func New(q QueueStats) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusone_events_total", Help: "Webhook events by source and outcome.",
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
	}
	reg.MustRegister(m.Events, m.Rejects, m.Processing, m.CardLatency, m.SlackDeliveries, m.Backfills,
		m.BackfilledEvents, m.Enrichments,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if q != nil {
		reg.MustRegister(&queueCollector{q: q, desc: prometheus.NewDesc("plusone_queue_depth",
			"Items waiting in plusone's durable queues.", []string{"queue"}, nil)})
	}
	return m
}

type queueCollector struct {
	q    QueueStats
	desc *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pending, parked, cards, failed, err := c.q.QueueDepths(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for name, v := range map[string]int{"events": pending, "parked": parked, "cards": cards, "cards_failed": failed} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(v), name)
	}
}

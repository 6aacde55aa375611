package server_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/metrics"
	"github.com/plusone-hq/plusone/server"
	"github.com/plusone-hq/plusone/store/sqlite"
	"github.com/plusone-hq/plusone/store/sqlstore"
)

// BenchmarkWebhook takes signed generic webhooks through the handler into a
// spooled SQLite store, as `plusone serve` does, from 32 goroutines: the
// webhook's own cost, without the HTTP connection's (cmd/loadtest measures
// that). Each request is a new event.
func BenchmarkWebhook(b *testing.B) {
	dir := b.TempDir()
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "bench.db"), sqlstore.WithSpool(filepath.Join(dir, "bench.spool")))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := (&server.Server{
		Store:   s,
		Sources: map[plusone.Source]plusone.Integration{plusone.SourceGeneric: generic.New(webhookSecret)},
		MaxBody: 1 << 20, Clock: time.Now, Log: slog.New(slog.DiscardHandler), Metrics: metrics.New(nil, metrics.Labels{}),
	}).Handler()
	bodies := make([][]byte, b.N)
	headers := make([]http.Header, b.N)
	for i := range bodies {
		bodies[i] = ticketBody(fmt.Sprintf("evt_%d", i), fmt.Sprintf("jane%d@example.com", i%5000))
		headers[i] = signed(webhookSecret, bodies[i])
		headers[i].Set("User-Agent", "Go-http-client/1.1")
	}
	var next atomic.Int64
	b.SetParallelism(16) // 32 on 2 CPUs
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			req := httptest.NewRequest(http.MethodPost, "/webhooks/generic", bytes.NewReader(bodies[i]))
			req.Header = headers[i]
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusAccepted {
				b.Errorf("answer %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
}

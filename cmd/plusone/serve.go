package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/cluster"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/delivery"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/internal/workloop"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/metrics"
	"github.com/plusone-hq/plusone/pipeline"
	"github.com/plusone-hq/plusone/prompts"
	"github.com/plusone-hq/plusone/server"
	"github.com/plusone-hq/plusone/store/postgres"
	"github.com/plusone-hq/plusone/store/sqlite"
	"github.com/plusone-hq/plusone/store/sqlstore"
)

// serve runs the service until ctx is cancelled, then shuts down gracefully:
// intake stops first, work in hand is finished, and everything else stays
// in the store for the next start. live is the policy in force, read by
// the caller; started, if set, learns the address.
func serve(ctx context.Context, cfg *config.Config, live *config.Live, log *slog.Logger, stdout io.Writer, started func(addr string)) error {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	// The store is closed by the shutdown deadline, whatever the database
	// does; on an early return, within the shutdown timeout from then.
	var closeBy time.Time
	defer func() {
		if closeBy.IsZero() {
			closeBy = time.Now().Add(cfg.ShutdownTimeout)
		}
		closeStore(store, closeBy, log)
	}()

	clock := time.Now
	busy := intakeBusy(store)
	m := metrics.New(queueStats{store})
	current := live.Current
	instance := instanceName()
	slack, slackClient := slackCards(cfg, stdout)
	deliverer := &delivery.Deliverer{
		Store:    store,
		Slack:    slack,
		Classify: classifySlack,
		Card: func(ctx context.Context, key string, now time.Time) (*plusone.ContextCard, error) {
			var card *plusone.ContextCard
			err := store.View(ctx, func(tx plusone.Tx) error {
				var err error
				card, err = memory.LoadCard(ctx, tx, key, current(), now)
				return err
			})
			return card, err
		},
		Clock: clock, Log: log, Metrics: m,
		Pace: cfg.SlackPace, Lease: cfg.Lease, RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Busy: busy,
	}
	list := sources()
	apis := newVendorAPIs(cfg, list, log)
	history, enrichers := histories(cfg, apis)
	all := integrations(cfg, list, log)
	chat := slackChat(cfg, current)
	applier := &pipeline.Applier{Policy: current, DefaultChannel: cfg.SlackChannel, History: sortedSources(history)}
	backfiller := &pipeline.Backfiller{
		Store: store, Applier: applier, Sources: history,
		Clock: clock, Log: log, Metrics: m,
		Window: time.Duration(cfg.HistoryDays) * 24 * time.Hour, Limit: cfg.HistoryLimit,
		MaxAttempts: cfg.MaxAttempts, RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Applied: deliverer.Wake,
	}
	processor := &pipeline.Processor{
		Store:     store,
		Applier:   applier,
		Parsers:   parsers(all, chat),
		Enrichers: enrichers,
		Clock:     clock, Log: log, Metrics: m,
		Workers: cfg.Workers, MaxAttempts: cfg.MaxAttempts, Lease: cfg.Lease,
		RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Busy: busy,
	}
	intake := webhookSources(cfg, list, all)
	srv := &server.Server{
		Store:   store,
		Sources: intake,
		Known:   known(list),
		MaxBody: cfg.MaxBodyBytes,
		Clock:   clock, Log: log, Metrics: m,
		Stored:        processor.Wake,
		IntakeTimeout: cfg.IntakeTimeout,
	}
	mem := &memory.Service{Store: store, Policy: current, Clock: clock, Changed: deliverer.Wake, Sources: list, Log: log}
	eraser := &pipeline.Eraser{Store: store, Memory: mem, Policy: current, Clock: clock, Log: log, Lease: cfg.Lease}
	// A shop's erasure is a job the event's transaction enqueued.
	processor.Applied = func() { deliverer.Wake(); backfiller.Wake(); eraser.Wake() }
	gest := &gestures.Service{Store: store, Policies: live, Clock: clock, Log: log, Changed: deliverer.Wake,
		Writeback: apis.writebackTargets()}
	if err := gest.LoadOverrides(ctx); err != nil {
		return fmt.Errorf("policy overrides: %w", err)
	}
	// This process among the replicas: heartbeats, take-over of a dead
	// one's work, and the one Slack sender. It leaves after the workers.
	member := &cluster.Member{Store: store, Name: instance, Every: cfg.Heartbeat, Alone: aloneOnStore(cfg),
		Clock: clock, Log: log}
	deliverer.Sender = member.Role(delivery.SenderRole)
	if err := member.Start(ctx); err != nil {
		return err
	}
	memberCtx, stopMember := context.WithCancel(context.WithoutCancel(ctx))
	memberDone := make(chan struct{})
	go func() { member.Run(memberCtx); close(memberDone) }()
	defer func() { stopMember(); <-memberDone }()
	deliverer.Notices = &notices{store: store, svc: gest, slack: slack, policy: current, log: log,
		drafter: prompts.New(cfg.OpenAIAPIKey, cfg.OpenAIBaseURL, cfg.OpenAIModel, nil)}
	writer := &gestures.Writer{Gestures: gest, MaxAttempts: cfg.MaxAttempts, RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Poll: time.Second, Timeout: 2 * time.Minute}
	writer.Zendesk, writer.Shopify = apis.writebackClients()
	srv.APIToken, srv.Customers, srv.Gestures, srv.Privacy = cfg.APIToken, mem, gest, mem
	app := slackApp(slackClient, mem, slackGestures{gest}, log, func(ctx context.Context, body []byte) error {
		if status, answer := srv.Accept(ctx, chat, nil, body, false); status >= 500 {
			return fmt.Errorf("store slack message: %v", answer)
		}
		return nil
	})
	if cfg.SlackSigningSecret != "" {
		srv.Slack = chat
		if app != nil {
			srv.SlackEvent = app.EventLater
			srv.Extra = func(mux *http.ServeMux) {
				mux.Handle("POST /slack/commands", app.CommandsHandler(cfg.SlackSigningSecret, cfg.MaxBodyBytes))
				mux.Handle("POST /slack/interactions", app.InteractionsHandler(cfg.SlackSigningSecret, cfg.MaxBodyBytes))
			}
		}
	}

	// SIGHUP is caught from before the service is reachable: an operator's
	// (or a script's) reload right after start must not kill it.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (PLUSONE_ADDR): %w", cfg.Addr, err)
	}
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	driver, _ := cfg.Database()
	log.Info("listening", "addr", ln.Addr().String(), "store", driver, "local_mode", cfg.LocalMode(),
		"webhooks", sourceNames(intake), "history", sourceNames(history), "version", version, "instance", instance)
	if started != nil {
		started(ln.Addr().String())
	}

	// Workers keep going while HTTP drains; they stop after it. Their
	// loops report to pulse, which /readyz reads.
	var pulse workloop.Pulse
	srv.Alive = func() error { return pulse.Check(time.Now(), stuckRound) }
	workCtx, stopWork := context.WithCancel(workloop.WithPulse(context.WithoutCancel(ctx), &pulse))
	defer stopWork()
	var wg sync.WaitGroup
	wg.Go(func() { processor.Run(workCtx, instance) })
	wg.Go(func() { deliverer.Run(workCtx, instance) })
	wg.Go(func() { backfiller.Run(workCtx, instance) })
	wg.Go(func() { gest.Expirer(workCtx, time.Minute) })
	wg.Go(func() { writer.Run(workCtx, instance) })
	wg.Go(func() { eraser.Run(workCtx, instance) })
	wg.Go(func() { live.Watch(workCtx, 2*time.Second) })
	wg.Go(func() { reloadOnHangup(workCtx, hup, live, gest, log) })
	if app != nil && cfg.SocketMode() {
		wg.Go(func() {
			if err := app.RunSocket(workCtx, socketClient(cfg)); err != nil {
				log.Error("slack socket mode stopped", "err", err)
			}
		})
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		stopWork()
		wg.Wait()
		closeApp(context.Background(), app, log)
		return fmt.Errorf("http server: %w", err)
	}

	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	closeBy, _ = shutdownCtx.Deadline()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	stopWork()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutdownCtx.Done():
		log.Warn("shutdown timed out; unfinished work stays claimable after its lease")
	}
	// Clicks in flight finish before the store closes (deferred above).
	closeApp(shutdownCtx, app, log)
	log.Info("stopped")
	return nil
}

// closeApp waits, until ctx ends, for the work the Slack app does after
// answering; app may be nil (no Slack app configured).
func closeApp(ctx context.Context, app *bot.App, log *slog.Logger) {
	if app == nil {
		return
	}
	if err := app.Close(ctx); err != nil {
		log.Warn("slack app shutdown", "err", err)
	}
}

// stuckRound is how long one round of a worker may last before /readyz
// calls the workers stuck: far above what a round of calls that each have
// a deadline (store, Slack, vendor APIs) can take.
const stuckRound = 5 * time.Minute

// storeCloseFloor is the least time the store is given to close, even
// when the shutdown deadline has already passed.
const storeCloseFloor = time.Second

// closeStore closes the store, waiting for it until by (at least
// storeCloseFloor). Close ends every call in flight at once, but on a
// frozen database closing its connections can take the driver's own
// timeouts; the process then exits without waiting: what was acknowledged
// was committed before its answer, and the operating system closes the
// sockets. The goroutine left behind ends with the process.
func closeStore(store plusone.Store, by time.Time, log *slog.Logger) {
	done := make(chan error, 1)
	go func() { done <- store.Close() }()
	timer := time.NewTimer(max(time.Until(by), storeCloseFloor))
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			log.Warn("close store", "err", err)
		}
	case <-timer.C:
		log.Warn("the store did not close in time; leaving without waiting for the database")
	}
}

func openStore(ctx context.Context, cfg *config.Config) (plusone.Store, error) {
	driver, dsn := cfg.Database()
	switch driver {
	case "sqlite":
		s, err := sqlite.Open(ctx, dsn, sqlstore.WithTimeout(cfg.StoreTimeout))
		if err != nil {
			return nil, fmt.Errorf("store (PLUSONE_DATABASE_URL): %w", err)
		}
		return s, nil
	case "postgres":
		s, err := postgres.Open(ctx, dsn, sqlstore.WithTimeout(cfg.StoreTimeout))
		if err != nil {
			return nil, fmt.Errorf("store (PLUSONE_DATABASE_URL): %w", err)
		}
		return s, nil
	default:
		return nil, fmt.Errorf("PLUSONE_DATABASE_URL: unsupported database %q", cfg.DatabaseURL)
	}
}

// intakeBusy is the store's report of a burst of webhooks (sqlstore's
// IntakeBusy), or nil for a store that gives none.
func intakeBusy(store plusone.Store) func() bool {
	if b, ok := store.(interface{ IntakeBusy() bool }); ok {
		return b.IntakeBusy
	}
	return nil
}

// aloneOnStore says whether this process is the only one on its store: an
// embedded SQLite file serves one process, so whoever held work in it
// before is dead.
func aloneOnStore(cfg *config.Config) bool {
	driver, _ := cfg.Database()
	return driver == "sqlite"
}

// reloadOnHangup reloads the policy file on each SIGHUP from hup until ctx
// ends; a file with problems is refused and the policy in force stays.
func reloadOnHangup(ctx context.Context, hup <-chan os.Signal, live *config.Live, gest *gestures.Service, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			log.Info("SIGHUP: reloading the policy file")
			if err := live.Reload(); err == nil {
				if err := gest.LoadOverrides(ctx); err != nil {
					log.Warn("overrides after reload", "err", err)
				}
			}
		}
	}
}

// queueStats adapts the store to the queue-depth gauges.
type queueStats struct{ s plusone.Store }

func (q queueStats) QueueDepths(ctx context.Context) (pending, parked, cards, failed int, err error) {
	st, err := q.s.InboxStats(ctx)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	cards, failed, err = q.s.CardStats(ctx)
	return st.Pending, st.Parked, cards, failed, err
}

// instanceName tells this process's workers from another's in the store.
func instanceName() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

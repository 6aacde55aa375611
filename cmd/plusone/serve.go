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
	"github.com/plusone-hq/plusone/console"
	"github.com/plusone-hq/plusone/delivery"
	"github.com/plusone-hq/plusone/digest"
	"github.com/plusone-hq/plusone/escalations"
	"github.com/plusone-hq/plusone/feedback"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/integrations/slackchat"
	"github.com/plusone-hq/plusone/jobs"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/metrics"
	"github.com/plusone-hq/plusone/outcomes"
	"github.com/plusone-hq/plusone/pipeline"
	"github.com/plusone-hq/plusone/prompts"
	"github.com/plusone-hq/plusone/server"
	"github.com/plusone-hq/plusone/store/postgres"
	"github.com/plusone-hq/plusone/store/sqlite"
	"github.com/plusone-hq/plusone/store/sqlstore"
	"github.com/plusone-hq/plusone/tickets"
	"github.com/plusone-hq/plusone/wording"
)

// serve runs the service until ctx is cancelled, then shuts down gracefully:
// intake stops first, work in hand is finished, and everything else stays
// in the store for the next start. live is the policy in force, read by
// the caller; started, if set, learns the address.
func serve(ctx context.Context, cfg *config.Config, live *config.Live, log *slog.Logger, stdout io.Writer, started func(addr string)) error {
	store, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	adviseOnStore(ctx, cfg, log)
	// The store is closed by the shutdown deadline, whatever the database
	// does; on an early return, within the shutdown timeout from then.
	var closeBy time.Time
	defer func() {
		if closeBy.IsZero() {
			closeBy = time.Now().Add(cfg.ShutdownTimeout)
		}
		closeStore(store, closeBy, log)
	}()

	instance := instanceName()
	p, err := build(ctx, cfg, live, store, instance, log, stdout)
	if err != nil {
		return err
	}
	// This process among the replicas: heartbeats, take-over of a dead
	// one's work, and the one Slack sender. It leaves after the workers.
	stopMember, err := startMember(ctx, p.member)
	if err != nil {
		return err
	}
	defer stopMember()

	// SIGHUP is caught from before the service is reachable: an operator's
	// (or a script's) reload right after start must not kill it.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (PLUSONE_ADDR): %w", cfg.Addr, err)
	}
	httpSrv := httpServer(p.server.Handler(), log)
	driver, _ := cfg.Database()
	log.Info("listening", "addr", ln.Addr().String(), "store", driver, "local_mode", cfg.LocalMode(),
		"webhooks", sourceNames(p.webhooks), "history", sourceNames(p.history), "version", version, "instance", instance)
	if started != nil {
		started(ln.Addr().String())
	}

	// Workers keep going while HTTP drains; they stop after it.
	workCtx, stopWork := context.WithCancel(jobs.WithPulse(context.WithoutCancel(ctx), &p.pulse))
	defer stopWork()
	var wg sync.WaitGroup
	p.runWorkers(workCtx, &wg, cfg, live, hup, instance, log)

	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		stopWork()
		wg.Wait()
		closeApp(context.Background(), p.app, log)
		return fmt.Errorf("http server: %w", err)
	}

	closeBy = shutdown(cfg.ShutdownTimeout, httpSrv, stopWork, &wg, p.app, log)
	return nil
}

// shutdown stops intake, then the workers (stopWork, waiting for wg),
// then the Slack app's work in flight, all within timeout; it returns the
// deadline by which the store is to be closed.
func shutdown(timeout time.Duration, httpSrv *http.Server, stopWork func(), wg *sync.WaitGroup, app *bot.App,
	log *slog.Logger) (closeBy time.Time) {
	log.Info("shutting down", "timeout", timeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	closeBy, _ = ctx.Deadline()
	if err := httpSrv.Shutdown(ctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	stopWork()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		log.Warn("shutdown timed out; unfinished work stays claimable after its lease")
	}
	// Clicks in flight finish before the store closes (deferred in serve).
	closeApp(ctx, app, log)
	log.Info("stopped")
	return closeBy
}

// parts are the services serve runs, built and attached to each other by
// build.
type parts struct {
	server     *server.Server
	processor  *pipeline.Processor
	backfiller *pipeline.Backfiller
	deliverer  *delivery.Deliverer
	gestures   *gestures.Service
	writer     *gestures.Writer
	eraser     *pipeline.Eraser
	tickets    *tickets.Service
	// escalations fires the policy's escalations of unanswered tickets.
	escalations *escalations.Service
	// wording is the model's worker; nil without a model.
	wording *wording.Service
	member  *cluster.Member
	// scheduler queues the supervisors' digest on the policy's schedule.
	scheduler *digest.Scheduler
	// app is the Slack app; nil in local mode.
	app *bot.App
	// webhooks are the sources whose endpoint is open, history those
	// back-filled.
	webhooks map[plusone.Source]plusone.Integration
	history  map[plusone.Source]plusone.History
	// pulse hears from the workers' loops; /readyz reads it (alive).
	pulse jobs.Pulse
}

// build builds every service on store and attaches them: a webhook goes
// server → pipeline (memory) → delivery → bot, a click bot → gestures →
// delivery.
func build(ctx context.Context, cfg *config.Config, live *config.Live, store plusone.Store, instance string,
	log *slog.Logger, stdout io.Writer) (*parts, error) {
	m := metrics.New(store, metrics.Labels{Sources: cfg.OpenWebhooks(sources()), Version: version,
		JobKinds: []string{pipeline.JobBackfill, gestures.JobWriteback, plusone.JobNotice, plusone.JobTicketWork,
			plusone.JobEscalation, pipeline.JobRetention, pipeline.JobShopRedact, plusone.JobWordCard, plusone.JobDraftReply}})
	list := sources()
	apis := newVendorAPIs(cfg, list, log, m)
	for source := range apis {
		m.Vendors(string(source))
	}
	people := slackPeople(cfg)
	history, enrichers := histories(cfg, apis, people)
	all := integrations(cfg, list, log)
	p := &parts{webhooks: webhookSources(cfg, list, all), history: history}

	slack, client := slackCards(cfg, stdout)
	mem := &memory.Service{Store: store, Policy: live.Current, Clock: time.Now, Sources: list, Log: log}
	p.deliverer = newDeliverer(cfg, store, slack, mem, m, log)
	mem.Changed = p.deliverer.Wake
	p.wording = newWording(cfg, store, live, client, p.deliverer, m, log)
	if p.wording != nil {
		mem.Wording, mem.Queued = p.wording.Model, p.wording.Wake
	}
	p.gestures = newGestures(store, live, apis, p.deliverer, m, log)
	outc := &outcomes.Service{Store: store, Policy: live.Current}
	p.gestures.Outcomes = outc.HomeLines
	if err := p.gestures.LoadOverrides(ctx); err != nil {
		return nil, fmt.Errorf("policy overrides: %w", err)
	}
	// The policy's history: this start's load, then each reload.
	loads := &gestures.PolicyHistory{Store: store, Instance: instance, Clock: time.Now, Log: log}
	if err := loads.Record(ctx, live.Describe(plusone.PolicyLoadStart)); err != nil {
		return nil, err
	}
	live.OnLoad(loads.Loaded)
	digests := &digest.Builder{Store: store, Policy: live.Current, Budgets: p.gestures.TeamBudgets, Effects: outc.Effects, Clock: time.Now}
	fb := &feedback.Service{Store: store, Policy: live.Current, Clock: time.Now}
	p.escalations = &escalations.Service{Store: store, Policy: live.Current, Clock: time.Now, Log: log, Changed: p.deliverer.Wake,
		Metrics: m, MaxAttempts: cfg.MaxAttempts, RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax}
	p.deliverer.Notices = noticeComposers(p.gestures, digests, fb, p.escalations)
	p.scheduler = &digest.Scheduler{Store: store, Policy: live.Current, Chart: true, Clock: time.Now, Log: log, Queued: p.deliverer.Wake}
	p.writer = newWriter(cfg, p.gestures, apis)
	p.tickets = newTickets(cfg, store, live, apis, people, p.deliverer, log)
	p.member = newMember(cfg, store, instance, log)
	p.deliverer.Sender = p.member.Role(delivery.SenderRole)

	chat := slackChat(cfg, live.Current)
	applier := &pipeline.Applier{Policy: live.Current, DefaultChannel: cfg.SlackChannel, History: sortedSources(history),
		Applied: inTurn(fb.Applied, p.escalations.Applied)}
	p.backfiller = newBackfiller(cfg, store, applier, history, p.deliverer, m, log)
	p.eraser = newEraser(cfg, store, mem, live, log)
	applied := wakers{p.deliverer.Wake}
	if len(history) > 0 {
		// Without a history source no back-fill is ever queued: waking
		// the back-filler after every event would only make it claim
		// nothing.
		applied = append(applied, p.backfiller.Wake)
	}
	p.processor = newProcessor(cfg, store, applier, parsers(all, chat), enrichers, applied, m, log)
	if p.tickets != nil {
		// A ticket created from Slack is recorded as its webhook would be.
		p.tickets.Apply = applier.Apply
	}
	// A shop's erasure is a job that applying its event enqueues.
	p.processor.Erasing = p.eraser.Wake
	p.server = newServer(cfg, store, p.webhooks, list, mem, p.gestures, p.processor, m, log)
	if onMoved(store, p.processor.Wake) {
		p.server.Stored = nil // the store wakes the workers when the events reach them
	}
	p.server.Outcomes = outc
	p.server.Alive = p.alive
	web, err := newConsole(cfg, store, live, p.gestures, outc, client, log)
	if err != nil {
		return nil, err
	}
	p.server.Console = web
	p.app = attachSlackApp(cfg, client, mem, p.gestures, p.tickets, p.server, chat, log)
	if p.app != nil {
		p.app.Digests, p.app.Feedback = digests, fb
		if p.wording != nil {
			p.app.Drafts = p.wording
		}
	}
	return p, nil
}

// newConsole is the web console: Sign in with Slack when a client id is
// set (people of the bot's own workspace only), else open on a loopback
// address only.
func newConsole(cfg *config.Config, store plusone.Store, live *config.Live, gest *gestures.Service, outc *outcomes.Service,
	client *bot.Client, log *slog.Logger) (http.Handler, error) {
	c := &console.Console{Store: store, Policy: live.Current, Gestures: gest, Outcomes: outc, Open: cfg.ConsoleOpen(),
		Clock: time.Now, Log: log}
	if cfg.SlackClientID != "" {
		c.Auth = &console.Auth{ClientID: cfg.SlackClientID, ClientSecret: cfg.SlackClientSecret, Issuer: cfg.SlackOIDCURL,
			PublicURL: cfg.PublicURL, Log: log}
		if client != nil {
			c.Auth.Team = func(ctx context.Context) (string, error) {
				id, err := client.AuthTest(ctx)
				return id.TeamID, err
			}
		}
	}
	return c.Handler()
}

// newWording is the model's worker: it words cards (which the sender posts
// with the rules' suggestions first and updates when the model answers)
// and drafts replies in open reply modals (through client; none in local
// mode). Nil without a model: rules only.
func newWording(cfg *config.Config, store plusone.Store, live *config.Live, client *bot.Client, deliverer *delivery.Deliverer,
	m *metrics.Metrics, log *slog.Logger) *wording.Service {
	model := prompts.New(cfg.OpenAIAPIKey, cfg.OpenAIBaseURL, cfg.OpenAIModel, nil)
	if !model.Enabled() {
		return nil
	}
	model.Metrics, model.Timeout = m, cfg.LLMTimeout
	w := &wording.Service{Store: store, Model: model, Policy: live.Current, Clock: time.Now, Log: log, Metrics: m,
		DailyTokens: cfg.LLMDailyTokens, Changed: deliverer.Wake, Poll: time.Second}
	if client != nil {
		w.Drafts = client
	}
	return w
}

// newDeliverer is the Slack sender of cards (assembled by mem) and
// notices.
func newDeliverer(cfg *config.Config, store plusone.Store, slack delivery.Slack, mem *memory.Service, m *metrics.Metrics,
	log *slog.Logger) *delivery.Deliverer {
	return &delivery.Deliverer{
		Store: store, Slack: slack, Classify: bot.Classify, Cards: mem,
		Clock: time.Now, Log: log, Metrics: m,
		Pace: cfg.SlackPace, Lease: cfg.Lease, RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Busy: intakeBusy(store),
	}
}

// noticeComposers composes the outbox's notices: the digest and its chart
// by digests, agents' feedback by fb, escalations by esc, the gestures'
// notices by gest.
func noticeComposers(gest *gestures.Service, digests *digest.Builder, fb *feedback.Service, esc *escalations.Service) plusone.NoticeComposer {
	return plusone.NoticeComposers{Default: gest, ByKind: map[plusone.NoticeKind]plusone.NoticeComposer{
		plusone.NoticeDigest: digests, plusone.NoticeDigestChart: digests, plusone.NoticeAgentFeedback: fb,
		plusone.NoticeEscalation: esc}}
}

// appliedHook looks at a live event in the transaction that applies it.
type appliedHook = func(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error

// inTurn is one hook calling each of hooks in turn, stopping at the first
// error (which rolls the event's transaction back).
func inTurn(hooks ...appliedHook) appliedHook {
	return func(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error {
		for _, h := range hooks {
			if err := h(ctx, tx, customerID, e, at); err != nil {
				return err
			}
		}
		return nil
	}
}

// newGestures is the gestures service: its changes wake the sender, its
// grants are written back to the configured vendor APIs, and its
// handwritten notes carry the note the model wrote for her card, or the
// rules' (never a model call in the sender); its decisions are counted in
// m.
func newGestures(store plusone.Store, live *config.Live, apis vendorAPIs, deliverer *delivery.Deliverer,
	m *metrics.Metrics, log *slog.Logger) *gestures.Service {
	return &gestures.Service{Store: store, Policies: live, Clock: time.Now, Log: log, Changed: deliverer.Wake,
		Writeback: apis.writebackTargets(), Drafter: wording.Notes{Store: store}, Metrics: m}
}

// newWriter is the write-back worker of granted gestures.
func newWriter(cfg *config.Config, gest *gestures.Service, apis vendorAPIs) *gestures.Writer {
	w := &gestures.Writer{Gestures: gest, MaxAttempts: cfg.MaxAttempts, RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Poll: time.Second, Timeout: 2 * time.Minute}
	w.Zendesk, w.Shopify = apis.writebackClients()
	return w
}

// newTickets is the worker of ticket work from the cards (reply, note,
// assign, status) and of tickets created from Slack messages, on the
// helpdesks' API clients, the same ones back-fill
// and write-back use; none without Slack (people nil): nobody can click.
func newTickets(cfg *config.Config, store plusone.Store, live *config.Live, apis vendorAPIs, people *slackchat.API,
	deliverer *delivery.Deliverer, log *slog.Logger) *tickets.Service {
	if people == nil {
		return nil
	}
	return &tickets.Service{Store: store, Desks: apis.ticketDesks(), People: people, Policy: live.Current,
		Clock: time.Now, Log: log, Changed: deliverer.Wake,
		MaxAttempts: cfg.MaxAttempts, RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax, Poll: time.Second, Timeout: 2 * time.Minute}
}

// newMember is this process among the replicas.
func newMember(cfg *config.Config, store plusone.Store, instance string, log *slog.Logger) *cluster.Member {
	return &cluster.Member{Store: store, Name: instance, Every: cfg.Heartbeat, Alone: aloneOnStore(cfg), Clock: time.Now, Log: log}
}

// newBackfiller is the history back-filler; what it applies wakes the
// sender.
func newBackfiller(cfg *config.Config, store plusone.Store, applier *pipeline.Applier, history map[plusone.Source]plusone.History,
	deliverer *delivery.Deliverer, m *metrics.Metrics, log *slog.Logger) *pipeline.Backfiller {
	return &pipeline.Backfiller{
		Store: store, Applier: applier, Sources: history,
		Clock: time.Now, Log: log, Metrics: m,
		Window: time.Duration(cfg.HistoryDays) * 24 * time.Hour, Limit: cfg.HistoryLimit,
		MaxAttempts: cfg.MaxAttempts, RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Applied: deliverer.Wake,
	}
}

// newProcessor is the event worker; what it applies wakes applied.
func newProcessor(cfg *config.Config, store plusone.Store, applier *pipeline.Applier, parsers map[plusone.Source]plusone.Integration,
	enrichers map[plusone.Source]plusone.Enricher, applied wakers, m *metrics.Metrics, log *slog.Logger) *pipeline.Processor {
	return &pipeline.Processor{
		Store: store, Applier: applier, Parsers: parsers, Enrichers: enrichers,
		Clock: time.Now, Log: log, Metrics: m,
		Workers: cfg.Workers, MaxAttempts: cfg.MaxAttempts, Lease: cfg.Lease,
		RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Applied: applied.Wake,
		Busy:    intakeBusy(store),
	}
}

// newEraser runs the retention and the shops' erasures.
func newEraser(cfg *config.Config, store plusone.Store, mem *memory.Service, live *config.Live, log *slog.Logger) *pipeline.Eraser {
	return &pipeline.Eraser{
		Store: store, Memory: mem, Policy: live.Current, Clock: time.Now, Log: log,
		RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax,
		Busy: intakeBusy(store),
	}
}

// newServer is the HTTP face: webhooks (stored events wake processor),
// the API over mem and gest, health and metrics.
func newServer(cfg *config.Config, store plusone.Store, webhooks map[plusone.Source]plusone.Integration, list []plusone.SourceInfo,
	mem *memory.Service, gest *gestures.Service, processor *pipeline.Processor, m *metrics.Metrics, log *slog.Logger) *server.Server {
	return &server.Server{
		Store: store, Sources: webhooks, Known: known(list), MaxBody: cfg.MaxBodyBytes,
		Clock: time.Now, Log: log, Metrics: m,
		Stored: processor.Wake, IntakeTimeout: cfg.IntakeTimeout,
		APIToken: cfg.APIToken, Customers: mem, Gestures: gest, Privacy: mem,
	}
}

// attachSlackApp builds plusone's Slack app (commands, buttons, shortcuts,
// App Home, unfurls) on client, or none in local mode (client nil). Slack
// chat messages are stored through one intake whichever way they come:
// over HTTP (/slack/events, when a signing secret is set, with the app's
// routes) or Socket Mode.
func attachSlackApp(cfg *config.Config, client *bot.Client, mem *memory.Service, gest *gestures.Service, tick *tickets.Service,
	srv *server.Server, chat plusone.Integration, log *slog.Logger) *bot.App {
	intake := &server.SlackIntake{Server: srv, Chat: chat}
	var app *bot.App
	if client != nil {
		app = &bot.App{Memory: mem, Gestures: gest, API: client, Log: log, Chat: intake}
		if tick != nil {
			app.Tickets = tick
		}
	}
	if cfg.SlackSigningSecret != "" {
		srv.Slack = intake
		if app != nil {
			srv.SlackApp, srv.SlackSigningSecret = app, cfg.SlackSigningSecret
		}
	}
	return app
}

// runWorkers starts the workers in wg, until ctx ends: events, cards and
// notices, back-fill, expiry, write-back, ticket work, erasures, the
// digest's schedule, the policy file's watch and reload, and Socket Mode
// when configured.
func (p *parts) runWorkers(ctx context.Context, wg *sync.WaitGroup, cfg *config.Config, live *config.Live, hup <-chan os.Signal,
	instance string, log *slog.Logger) {
	wg.Go(func() { p.processor.Run(ctx, instance) })
	wg.Go(func() { p.deliverer.Run(ctx, instance) })
	wg.Go(func() { p.backfiller.Run(ctx, instance) })
	wg.Go(func() { p.gestures.Expirer(ctx, time.Minute) })
	wg.Go(func() { p.writer.Run(ctx, instance) })
	wg.Go(func() { p.eraser.Run(ctx, instance) })
	wg.Go(func() { p.escalations.Run(ctx, instance) })
	if p.tickets != nil {
		wg.Go(func() { p.tickets.Run(ctx, instance) })
	}
	if p.wording != nil {
		wg.Go(func() { p.wording.Run(ctx, instance) })
	}
	digests := &jobs.Periodic{Name: "digest schedule", Every: digestPoll, Do: p.scheduler.Due, Log: log}
	wg.Go(func() { digests.Run(ctx) })
	wg.Go(func() { live.Watch(ctx, 2*time.Second) })
	wg.Go(func() { reloadOnHangup(ctx, hup, live, p.gestures, log) })
	if p.app != nil && cfg.SocketMode() {
		wg.Go(func() {
			if err := p.app.RunSocket(ctx, socketClient(cfg)); err != nil {
				log.Error("slack socket mode stopped", "err", err)
			}
		})
	}
}

// alive says whether the workers still work, for /readyz: none of their
// loops stuck in one round.
func (p *parts) alive() error { return p.pulse.Check(time.Now(), stuckRound) }

// startMember starts this process's membership among the replicas and
// returns how to stop it (it waits for its loop to end).
func startMember(ctx context.Context, member *cluster.Member) (stop func(), err error) {
	if err := member.Start(ctx); err != nil {
		return nil, err
	}
	memberCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { member.Run(memberCtx); close(done) }()
	return func() { cancel(); <-done }, nil
}

// httpServer serves handler with timeouts that hold a slow client off.
func httpServer(handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// wakers wakes every worker listed: what the event workers wake after
// applying events.
type wakers []func()

// Wake wakes them all. It never blocks.
func (w wakers) Wake() {
	for _, wake := range w {
		wake()
	}
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

// digestPoll is how often each instance looks whether the digest is due
// (a clock reading unless a new send time came).
const digestPoll = time.Second

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

// openStore opens the configured store. A serving process on SQLite takes
// webhooks into a spool beside the file (sqlstore's spooled): it is the
// file's only process, which other commands are not.
func openStore(ctx context.Context, cfg *config.Config, serving bool) (plusone.Store, error) {
	driver, dsn := cfg.Database()
	switch driver {
	case "sqlite":
		opts := []sqlstore.Option{sqlstore.WithTimeout(cfg.StoreTimeout)}
		if serving {
			opts = append(opts, sqlstore.WithSpool(dsn+".spool"))
		}
		s, err := sqlite.Open(ctx, dsn, opts...)
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

// adviseOnStore logs what in the database server's settings would slow
// plusone down (postgres.Advice); it never stops the start.
func adviseOnStore(ctx context.Context, cfg *config.Config, log *slog.Logger) {
	driver, dsn := cfg.Database()
	if driver != "postgres" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	advice, err := postgres.Advice(ctx, dsn)
	if err != nil {
		log.Warn("cannot read the database server's settings", "err", err)
	}
	for _, a := range advice {
		log.Warn(a)
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

// onMoved has a spooled store wake the event workers when spooled events
// reach its inbox (sqlstore's OnMoved), and says whether it does; other
// stores have them woken by intake directly.
func onMoved(store plusone.Store, wake func()) bool {
	if m, ok := store.(interface{ OnMoved(func()) bool }); ok {
		return m.OnMoved(wake)
	}
	return false
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

// instanceName tells this process's workers from another's in the store.
func instanceName() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

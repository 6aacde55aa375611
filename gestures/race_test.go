package gestures_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/pipeline"
	"github.com/plusone-hq/plusone/store/postgres"
	"github.com/plusone-hq/plusone/store/postgres/pgtest"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// replicaSet is three gesture services, each on its own store over one
// database, as three replicas of plusone run them; with a shared clock.
type replicaSet struct {
	svcs  []*gestures.Service
	store plusone.Store
	now   *time.Time
	ids   []int64
}

// onBothStores runs fn on SQLite (one process: one store, three services)
// and on PostgreSQL (three stores on one schema).
func onBothStores(t *testing.T, fn func(t *testing.T, open func() []plusone.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, func() []plusone.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return []plusone.Store{s, s, s}
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, func() []plusone.Store {
			url := pgtest.Schema(t)
			var out []plusone.Store
			for range 3 {
				s, err := postgres.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				out = append(out, s)
			}
			return out
		})
	})
}

func newReplicaSet(t *testing.T, stores []plusone.Store, customers int) *replicaSet {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := t0
	r := &replicaSet{store: stores[0], now: &now}
	for _, s := range stores {
		p, err := config.ParsePolicy("policy.yaml", []byte(policyYAML))
		if err != nil {
			t.Fatal(err)
		}
		r.svcs = append(r.svcs, &gestures.Service{Store: s, Policies: config.NewLive("", p, log),
			Clock: func() time.Time { return *r.now }, Log: log})
	}
	a := &pipeline.Applier{Policy: r.svcs[0].Policies.Current, DefaultChannel: "C1"}
	ctx := context.Background()
	for i := range customers {
		err := r.store.Update(ctx, func(tx plusone.Tx) error {
			id, err := a.Apply(ctx, tx, plusone.Event{Source: plusone.SourceGeneric, ID: fmt.Sprint("e", i), Type: plusone.EventTicketCreated,
				OccurredAt: t0.Add(-time.Hour), Customer: plusone.CustomerRef{Email: fmt.Sprintf("c%d@example.com", i)},
				Ticket: &plusone.Ticket{ID: fmt.Sprint("T-", i), Subject: "Hello"}}, t0)
			r.ids = append(r.ids, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// pending fills U0ANA's budget with 6 granted shipments, then asks for n
// handwritten notes, which await approval; it returns their requests.
func (r *replicaSet) pending(t *testing.T, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	var out []int64
	for i := range 6 + n {
		gesture := "free_express_shipping"
		if i >= 6 {
			gesture = "handwritten_note"
		}
		res, err := r.svcs[i%3].Offer(ctx, "U0ANA", plusone.OfferRequest{CustomerID: r.ids[i], Gesture: gesture,
			TicketKey: fmt.Sprint("generic:T-", i), Key: fmt.Sprint("click-", i)})
		if err != nil {
			t.Fatal(err)
		}
		want := plusone.StatusGranted
		if i >= 6 {
			want = plusone.StatusPendingApproval
			out = append(out, res.Entry.RequestID)
		}
		if res.Entry.Status != want {
			t.Fatalf("offer %d: %s, want %s", i, res.Entry.Status, want)
		}
	}
	return out
}

// messages counts the Slack messages queued, by kind and request.
func (r *replicaSet) messages(t *testing.T) map[string]map[int64]int {
	t.Helper()
	jobs, err := r.store.ClaimJobs(context.Background(), plusone.JobNotice,
		plusone.Claim{Worker: "counter", Limit: 10_000, Lease: time.Hour, Now: r.now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[int64]int{}
	for _, j := range jobs {
		var n plusone.Notice
		if err := json.Unmarshal(j.Payload, &n); err != nil {
			t.Fatal(err)
		}
		if out[string(n.Kind)] == nil {
			out[string(n.Kind)] = map[int64]int{}
		}
		out[string(n.Kind)][n.RequestID]++
	}
	return out
}

// chain is a request's entries.
func (r *replicaSet) chain(t *testing.T, id int64) []plusone.LedgerEntry {
	t.Helper()
	var chain []plusone.LedgerEntry
	err := r.store.View(context.Background(), func(tx plusone.Tx) error {
		var err error
		chain, err = tx.Request(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return chain
}

// 10 pending requests, each approved by 6 clicks at once spread over 3
// replicas: each approved and charged once, announced once, its to-do
// queued once; then "Mark sent" 6 times at once: fulfilled once.
func TestApprovalsDecidedOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func() []plusone.Store) {
		r := newReplicaSet(t, open(), 16)
		requests := r.pending(t, 10)
		ctx := context.Background()
		var won atomic.Int32
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, id := range requests {
			for click := range 6 {
				wg.Go(func() {
					<-start
					res, err := r.svcs[click%3].Resolve(ctx, "U0SUP", id, true)
					if err != nil {
						t.Errorf("approve %d: %v", id, err)
						return
					}
					if res.Entry.Status != plusone.StatusApproved {
						t.Errorf("approve %d gave %s", id, res.Entry.Status)
					}
					if !res.Duplicate {
						won.Add(1)
					}
				})
			}
		}
		close(start)
		wg.Wait()
		var charged plusone.Money
		for _, id := range requests {
			chain := r.chain(t, id)
			if len(chain) != 2 || chain[1].Status != plusone.StatusApproved {
				t.Errorf("request %d: %d entries, latest %s", id, len(chain), chain[len(chain)-1].Status)
			}
			for _, e := range chain {
				charged += e.Charge
			}
		}
		if won.Load() != 10 || charged != 10*4_00 {
			t.Errorf("%d approvals won, %v charged; want 10 and %v", won.Load(), charged, plusone.Money(10*4_00))
		}
		msgs := r.messages(t)
		for _, id := range requests {
			for _, what := range []string{"approval_decided", "thread_outcome", "todo"} {
				if n := msgs[what][id]; n != 1 {
					t.Errorf("request %d: %d %s messages, want 1", id, n, what)
				}
			}
		}
		// Its to-do's "Mark sent", clicked 6 times at once.
		id := requests[0]
		for click := range 6 {
			wg.Go(func() {
				if _, err := r.svcs[click%3].MarkSent(ctx, "U0ANA", id); err != nil {
					t.Errorf("mark sent: %v", err)
				}
			})
		}
		wg.Wait()
		if chain := r.chain(t, id); len(chain) != 3 || chain[2].Status != plusone.StatusFulfilled {
			t.Errorf("after 6 Mark sent: %+v", chain)
		}
		if n := r.messages(t)["fulfilled"][id]; n != 1 {
			t.Errorf("%d fulfilled messages, want 1", n)
		}
	})
}

// Approvals, declines and the expirer racing on the same requests, over 3
// replicas: each request gets exactly one outcome, announced once, charged
// and fulfilled only when it is an approval.
func TestOneOutcomeWhenApproveDeclineAndExpiryRace(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func() []plusone.Store) {
		r := newReplicaSet(t, open(), 14)
		requests := r.pending(t, 8)
		*r.now = r.now.Add(3 * time.Hour) // past approvals.expire (2h)
		ctx := context.Background()
		start := make(chan struct{})
		var wg sync.WaitGroup
		var expired atomic.Int32
		for i := range 3 {
			wg.Go(func() {
				<-start
				n, err := r.svcs[i].ExpireDue(ctx)
				if err != nil {
					t.Errorf("expire: %v", err)
				}
				expired.Add(int32(n))
			})
		}
		for _, id := range requests {
			for click := range 4 {
				wg.Go(func() {
					<-start
					if _, err := r.svcs[click%3].Resolve(ctx, "U0SUP", id, click%2 == 0); err != nil {
						t.Errorf("decide %d: %v", id, err)
					}
				})
			}
		}
		close(start)
		wg.Wait()
		msgs := r.messages(t)
		outcomes := map[plusone.LedgerStatus]int{}
		for _, id := range requests {
			chain := r.chain(t, id)
			if len(chain) != 2 {
				t.Errorf("request %d has %d entries: %+v", id, len(chain), chain)
				continue
			}
			final := chain[1]
			outcomes[final.Status]++
			wantCharge, wantTodo := plusone.Money(0), 0
			if final.Status == plusone.StatusApproved {
				wantCharge, wantTodo = final.Value, 1
			}
			if final.Charge != wantCharge || msgs["todo"][id] != wantTodo {
				t.Errorf("request %d %s: charge %v, %d to-dos", id, final.Status, final.Charge, msgs["todo"][id])
			}
			if msgs["approval_decided"][id] != 1 || msgs["thread_outcome"][id] != 1 {
				t.Errorf("request %d %s announced %d+%d times", id, final.Status, msgs["approval_decided"][id], msgs["thread_outcome"][id])
			}
		}
		if int(expired.Load()) != outcomes[plusone.StatusExpired] {
			t.Errorf("the expirers counted %d, the ledger has %d", expired.Load(), outcomes[plusone.StatusExpired])
		}
		t.Logf("outcomes: %v", outcomes)
	})
}

// A supervisor's change made through one replica decides the next offer
// on another at once: here a gesture paused on replica 0 is refused on
// replica 1.
func TestOverrideOnOneReplicaDecidesOnAnother(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func() []plusone.Store) {
		r := newReplicaSet(t, open(), 2)
		ctx := context.Background()
		if _, err := r.svcs[0].SetOverride(ctx, "U0SUP", "gestures.free_express_shipping.paused", "true"); err != nil {
			t.Fatal(err)
		}
		res, err := r.svcs[1].Offer(ctx, "U0ANA", plusone.OfferRequest{CustomerID: r.ids[1], Gesture: "free_express_shipping",
			TicketKey: "generic:T-1", Key: "after-pause"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Entry.Status != plusone.StatusRefused {
			t.Errorf("offer of a paused gesture on another replica: %s (%s)", res.Entry.Status, res.Entry.Reason)
		}
		if got := r.svcs[1].Policies.Overrides(); len(got) != 1 {
			t.Errorf("replica 1 holds %d overrides, want 1", len(got))
		}
	})
}

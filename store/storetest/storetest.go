// Package storetest is the conformance suite of plusone.Store: every
// implementation (store/sqlite, store/postgres) must pass it. Call Run from
// the implementation's tests with a function that opens a fresh, empty store.
//
// Run calls one suite per area, each in its own file: inbox.go (the event
// inbox), customers.go (customers, merges, splits), timeline.go (timeline
// and profile), cards.go, jobs.go, memory.go (lookups, notes, agents'
// recent customers), erase.go, ledger.go, locks.go, rollback.go,
// instances.go, deadlines.go, outcomes.go, digest.go (a period across
// customers, agents' settings) and wording.go (the model's cache and token
// budget); helpers.go holds what they share.
package storetest

import (
	"testing"

	"github.com/plusone-hq/plusone"
)

// Opener returns a new, empty, migrated store; the suite closes it.
type Opener func(t *testing.T) plusone.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	t.Run("Inbox", func(t *testing.T) { testInbox(t, open) })
	t.Run("InboxConcurrency", func(t *testing.T) { testInboxConcurrency(t, open) })
	t.Run("InboxBatchIDs", func(t *testing.T) { testInboxBatchIDs(t, open) })
	t.Run("InboxKeepsBytes", func(t *testing.T) { testInboxKeepsBytes(t, open) })
	t.Run("Customers", func(t *testing.T) { testCustomers(t, open) })
	t.Run("Merge", func(t *testing.T) { testMerge(t, open) })
	t.Run("Timeline", func(t *testing.T) { testTimeline(t, open) })
	t.Run("Profile", func(t *testing.T) { testProfile(t, open) })
	t.Run("Cards", func(t *testing.T) { testCards(t, open) })
	t.Run("CardsConcurrency", func(t *testing.T) { testCardsConcurrency(t, open) })
	t.Run("CardQueue", func(t *testing.T) { testCardQueue(t, open) })
	t.Run("CardBackground", func(t *testing.T) { testCardBackground(t, open) })
	t.Run("CardDoubt", func(t *testing.T) { testCardDoubt(t, open) })
	t.Run("Jobs", func(t *testing.T) { testJobs(t, open) })
	t.Run("Memory", func(t *testing.T) { testMemory(t, open) })
	t.Run("NameSearch", func(t *testing.T) { testNameSearch(t, open) })
	t.Run("Split", func(t *testing.T) { testSplit(t, open) })
	t.Run("Erase", func(t *testing.T) { testErase(t, open) })
	t.Run("EraseQueries", func(t *testing.T) { testEraseQueries(t, open) })
	t.Run("EraseInbox", func(t *testing.T) { testEraseInbox(t, open) })
	t.Run("EraseOutcomes", func(t *testing.T) { testEraseOutcomes(t, open) })
	t.Run("EraseJobs", func(t *testing.T) { testEraseJobs(t, open) })
	t.Run("Ledger", func(t *testing.T) { testLedger(t, open) })
	t.Run("LedgerConcurrency", func(t *testing.T) { testLedgerConcurrency(t, open) })
	t.Run("Locks", func(t *testing.T) { testLocks(t, open) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, open) })
	t.Run("Instances", func(t *testing.T) { testInstancesSuite(t, open) })
	t.Run("Deadlines", func(t *testing.T) { testDeadlines(t, open) })
	t.Run("Outcomes", func(t *testing.T) { testOutcomes(t, open) })
	t.Run("OutcomesConcurrency", func(t *testing.T) { testOutcomesConcurrency(t, open) })
	t.Run("Digest", func(t *testing.T) { testDigest(t, open) })
	t.Run("PolicyLoads", func(t *testing.T) { testPolicyLoads(t, open) })
	t.Run("SpendByDay", func(t *testing.T) { testSpendByDay(t, open) })
	t.Run("Wording", func(t *testing.T) { testWording(t, open) })
}

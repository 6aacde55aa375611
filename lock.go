package plusone

import "strconv"

// Lock keys name what Tx.Lock serialises. A transaction that reads
// something and writes on the strength of it locks its key first, then
// reads; the keys live here so that every writer of a thing uses the same
// one. Tx.Lock takes the keys of one call in sorted order; a transaction
// that locks in several calls takes them in this order, so that no two
// transactions wait on each other crosswise: identities; customers;
// budgets and requests (in one call); the overrides.

// IdentityLock is the key of an identity: held while finding the customer
// who has it and creating her if nobody does.
func IdentityLock(id Identity) string { return "identity:" + id.Kind + ":" + id.Value }

// CustomerLock is the key of a customer record: held by whatever may
// delete it or move its rows (merges, splits) and by writers that must not
// write to a customer merged away meanwhile.
func CustomerLock(id int64) string { return "customer:" + strconv.FormatInt(id, 10) }

// RequestLock is the key of a gesture request: held while reading its
// latest state and deciding, fulfilling or expiring it.
func RequestLock(id int64) string { return "request:" + strconv.FormatInt(id, 10) }

// BudgetLock is the key of a budget (its scope and key, as in
// BudgetLine): held from reading its spend to appending the entry that
// spends from it.
func BudgetLock(scope BudgetScope, key string) string { return "budget:" + string(scope) + ":" + key }

// OverridesLock is the key of the supervisors' overrides as a whole: held
// while checking a change against those already made and adding it.
const OverridesLock = "overrides"

// FinalKey is the ledger key of a request's final decision (approved,
// declined or expired): the store keeps one entry per key, so a request is
// decided once whatever the concurrency.
func FinalKey(requestID int64) string { return "final:" + strconv.FormatInt(requestID, 10) }

// FulfilledKey is the ledger key of a request's fulfilment.
func FulfilledKey(requestID int64) string { return "fulfilled:" + strconv.FormatInt(requestID, 10) }

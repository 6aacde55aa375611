package plusone

import (
	"context"
	"time"
)

// PolicyLoad is one load of the policy in force by one instance: at start,
// on SIGHUP or when the file changed. The console lists them as the
// policy's change history; a Hash that differs from the load before marks
// a change of the file.
type PolicyLoad struct {
	ID int64
	At time.Time
	// Hash is the lowercase hex SHA-256 of the file's bytes, or
	// BuiltInPolicyHash when no file is configured.
	Hash string
	// Path is the policy file ("" for the built-in policy).
	Path string
	// Reason is what loaded it: PolicyLoadStart, PolicyLoadReload or
	// PolicyLoadChanged.
	Reason string
	// Instance is the process that loaded it.
	Instance string
	// Gestures is how many gestures the policy offers.
	Gestures int
}

// Reasons of a PolicyLoad.
const (
	PolicyLoadStart   = "start"   // the service started
	PolicyLoadReload  = "reload"  // SIGHUP
	PolicyLoadChanged = "changed" // the file changed on disk
)

// BuiltInPolicyHash stands for the hash of the built-in policy.
const BuiltInPolicyHash = "built-in"

// PolicyTx records the loads of the policy.
type PolicyTx interface {
	// RecordPolicyLoad appends l and sets l.ID.
	RecordPolicyLoad(ctx context.Context, l *PolicyLoad) error
	// PolicyLoads lists the latest loads, newest first, at most limit.
	PolicyLoads(ctx context.Context, limit int) ([]PolicyLoad, error)
}

package view

import "testing"

// For the external tests, which hold the views to the Slack app's
// handlers (package bot imports view, so only view_test may import bot).
var (
	GestureCard        = gestureCard
	PendingEntry       = pendingEntry
	NoteEntry          = noteEntry
	SupervisorGestures = supervisorGestures
)

// ActionIDs collects every action_id in rendered Slack JSON into into.
func ActionIDs(t *testing.T, v any, into map[string]bool) { actionIDs(t, v, into) }

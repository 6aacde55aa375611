package bot

import (
	_ "embed"

	"github.com/plusone-hq/plusone/bot/view"
)

//go:embed manifest.yaml
var manifest []byte

// Manifest returns the Slack app manifest that creates plusone's app with
// every scope, command, shortcut and event the code uses.
func Manifest() []byte { return append([]byte(nil), manifest...) }

// Handles lists what the app handles. The manifest test holds it and the
// manifest to each other, both ways.
type Handles struct {
	Commands  []string // slash commands
	Shortcuts []string // message shortcut callback ids
	Actions   []string // block action ids
	Views     []string // modal callback ids
	Events    []string // Events API event types
}

// Handled is what App handles.
func Handled() Handles {
	return Handles{
		Commands:  []string{view.Command},
		Shortcuts: []string{view.ShortcutSaveNote, view.ShortcutCreateTicket},
		Actions: []string{view.ActionAddNote, view.ActionShowCustomer, view.ActionOfferGesture, view.ActionApproveGesture, view.ActionDeclineGesture,
			view.ActionMarkSent, view.ActionEditPolicy, view.ActionEraseCustomer, view.ActionReplyTicket, view.ActionAssignTicket,
			view.ActionTicketStatus, view.ActionFeedbackMessages},
		Views:  []string{view.ViewNote, view.ViewSaveNote, view.ViewEditPolicy, view.ViewReplyTicket, view.ViewCreateTicket},
		Events: []string{"app_home_opened", "link_shared", "message"},
	}
}

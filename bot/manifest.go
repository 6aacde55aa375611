package bot

import _ "embed"

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
		Commands:  []string{Command},
		Shortcuts: []string{ShortcutSaveNote},
		Actions: []string{ActionAddNote, ActionShowCustomer, ActionOfferGesture, ActionApproveGesture, ActionDeclineGesture,
			ActionMarkSent, ActionEditPolicy},
		Views:  []string{ViewNote, ViewSaveNote, ViewEditPolicy},
		Events: []string{"app_home_opened", "link_shared", "message"},
	}
}

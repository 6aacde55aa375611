package view

import (
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestValidateViewLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat
	input := func(label, placeholder string) *slack.InputBlock {
		return slack.NewInputBlock("b", plain(label), nil, slack.NewPlainTextInputBlockElement(plain(placeholder), "a"))
	}
	modal := func(edit func(*slack.ModalViewRequest)) slack.ModalViewRequest {
		v := slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Title"), Submit: plain("Save"), Close: plain("Cancel"),
			CallbackID: "cb", Blocks: slack.Blocks{BlockSet: []slack.Block{input("Note", "Write")}}}
		edit(&v)
		return v
	}
	tests := []struct {
		name      string
		v         slack.ModalViewRequest
		wantLimit string // "" = valid
		wantPath  string
	}{
		{name: "minimal", v: modal(func(*slack.ModalViewRequest) {})},
		{name: "at every limit", v: modal(func(v *slack.ModalViewRequest) {
			v.Title, v.Submit, v.Close = plain(long("t", 24)), plain(long("s", 24)), plain(long("c", 24))
			v.PrivateMetadata, v.CallbackID = long("m", 3000), long("i", 255)
			v.Blocks.BlockSet = append([]slack.Block{input(long("l", 2000), long("p", 150))}, dividers(99)...)
		})},
		{name: "title", v: modal(func(v *slack.ModalViewRequest) { v.Title = plain(long("t", 25)) }),
			wantLimit: "modal title", wantPath: "title"},
		{name: "no title", v: modal(func(v *slack.ModalViewRequest) { v.Title = nil }),
			wantLimit: "modal title", wantPath: "title"},
		{name: "empty title", v: modal(func(v *slack.ModalViewRequest) { v.Title = plain("") }),
			wantLimit: "modal title", wantPath: "title"},
		{name: "submit", v: modal(func(v *slack.ModalViewRequest) { v.Submit = plain(long("s", 25)) }),
			wantLimit: "modal submit", wantPath: "submit"},
		{name: "no submit with an input", v: modal(func(v *slack.ModalViewRequest) { v.Submit = nil }),
			wantLimit: "modal submit (required with input blocks)", wantPath: "submit"},
		{name: "close", v: modal(func(v *slack.ModalViewRequest) { v.Close = plain(long("🎉", 13)) }),
			wantLimit: "modal close", wantPath: "close"},
		{name: "private_metadata", v: modal(func(v *slack.ModalViewRequest) { v.PrivateMetadata = long("m", 3001) }),
			wantLimit: "private_metadata", wantPath: "private_metadata"},
		{name: "callback_id", v: modal(func(v *slack.ModalViewRequest) { v.CallbackID = long("i", 256) }),
			wantLimit: "callback_id", wantPath: "callback_id"},
		{name: "blocks", v: modal(func(v *slack.ModalViewRequest) { v.Blocks.BlockSet = dividers(101) }),
			wantLimit: "blocks per view", wantPath: "blocks"},
		{name: "input label", v: modal(func(v *slack.ModalViewRequest) { v.Blocks.BlockSet = []slack.Block{input(long("l", 2001), "p")} }),
			wantLimit: "input label", wantPath: "blocks[0].label"},
		{name: "input hint", v: modal(func(v *slack.ModalViewRequest) {
			in := input("l", "p")
			in.Hint = plain(long("h", 2001))
			v.Blocks.BlockSet = []slack.Block{in}
		}), wantLimit: "input hint", wantPath: "blocks[0].hint"},
		{name: "placeholder", v: modal(func(v *slack.ModalViewRequest) { v.Blocks.BlockSet = []slack.Block{input("l", long("p", 151))} }),
			wantLimit: "placeholder", wantPath: "blocks[0].element.placeholder"},
		{name: "block limits too", v: modal(func(v *slack.ModalViewRequest) {
			v.Blocks.BlockSet = []slack.Block{slack.NewHeaderBlock(plain(long("h", 151)))}
		}), wantLimit: "header text", wantPath: "blocks[0].text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateView(tt.v)
			if tt.wantLimit == "" {
				if err != nil {
					t.Fatalf("ValidateView: %v", err)
				}
				return
			}
			le, ok := errors.AsType[*LimitError](err)
			if !ok {
				t.Fatalf("error %v is not a *LimitError", err)
			}
			if le.Limit != tt.wantLimit || le.Path != tt.wantPath {
				t.Errorf("got %s at %s, want %s at %s (%v)", le.Limit, le.Path, tt.wantLimit, tt.wantPath, err)
			}
		})
	}
}

func TestValidateViewTypesAndHome(t *testing.T) {
	t.Parallel()
	if err := ValidateView(slack.ModalViewRequest{Title: plain("T")}); err == nil || !strings.Contains(err.Error(), `type must be "modal"`) {
		t.Errorf("modal without a type: %v", err)
	}
	if err := ValidateView(slack.ModalViewRequest{Type: slack.VTModal, Title: mrkdwn("T")}); err == nil || !strings.Contains(err.Error(), "plain_text") {
		t.Errorf("mrkdwn title: %v", err)
	}
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: dividers(100)}}
	if err := ValidateView(home); err != nil {
		t.Errorf("home of 100 blocks: %v", err)
	}
	home.Blocks.BlockSet = dividers(101)
	home.PrivateMetadata = strings.Repeat("m", 3001)
	err := ValidateView(home)
	for _, want := range []string{"blocks: blocks per view is 101, Slack allows at most 100", "private_metadata: private_metadata is 3001"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if err := ValidateView(slack.HomeTabViewRequest{}); err == nil || !strings.Contains(err.Error(), `type must be "home"`) {
		t.Errorf("home without a type: %v", err)
	}
}

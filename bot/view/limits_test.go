package view

import (
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

func TestValidateLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat
	ok := mrkdwn("ok")
	button := func(actionID, value, text string) *slack.ButtonBlockElement {
		return slack.NewButtonBlockElement(actionID, value, plain(text))
	}
	fields := func(n, size int) []*slack.TextBlockObject {
		fs := make([]*slack.TextBlockObject, n)
		for i := range fs {
			fs[i] = mrkdwn(long("f", size))
		}
		return fs
	}
	tests := []struct {
		name      string
		m         Message
		wantLimit string // "" = valid
		wantPath  string
	}{
		{name: "minimal", m: Message{Text: "hi", Blocks: []slack.Block{slack.NewSectionBlock(ok, nil, nil)}}},
		{name: "at every limit", m: Message{Text: long("t", 40000), Blocks: append([]slack.Block{
			slack.NewHeaderBlock(plain(long("h", 150))),
			slack.NewSectionBlock(mrkdwn(long("s", 3000)), fields(10, 2000), nil, slack.SectionBlockOptionBlockID(long("b", 255))),
			slack.NewContextBlock("", ok, ok, ok, ok, ok, ok, ok, ok, ok, ok),
			slack.NewActionBlock("", func() []slack.BlockElement {
				els := []slack.BlockElement{button(long("a", 255), long("v", 2000), long("x", 75))}
				for range 24 {
					els = append(els, button("offer_gesture", "1", "Offer"))
				}
				return els
			}()...),
		}, dividers(46)...)}},
		{name: "no fallback text", m: Message{Text: " \n", Blocks: []slack.Block{slack.NewDividerBlock()}},
			wantLimit: "fallback text", wantPath: "text"},
		{name: "fallback text too long", m: Message{Text: long("t", 40001)},
			wantLimit: "fallback text", wantPath: "text"},
		{name: "too many blocks", m: Message{Text: "x", Blocks: dividers(51)},
			wantLimit: "blocks per message", wantPath: "blocks"},
		{name: "section text", m: msg(slack.NewSectionBlock(mrkdwn(long("s", 3001)), nil, nil)),
			wantLimit: "section text", wantPath: "blocks[0].text"},
		{name: "section text counts emoji as two", m: msg(slack.NewSectionBlock(mrkdwn(long("🎉", 1501)), nil, nil)),
			wantLimit: "section text", wantPath: "blocks[0].text"},
		{name: "section fields", m: msg(slack.NewSectionBlock(nil, fields(11, 1), nil)),
			wantLimit: "section fields", wantPath: "blocks[0].fields"},
		{name: "section field text", m: msg(slack.NewSectionBlock(nil, fields(2, 2001), nil)),
			wantLimit: "section field text", wantPath: "blocks[0].fields[0]"},
		{name: "header text", m: msg(slack.NewHeaderBlock(plain(long("h", 151)))),
			wantLimit: "header text", wantPath: "blocks[0].text"},
		{name: "context elements", m: msg(slack.NewContextBlock("", ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok)),
			wantLimit: "context elements", wantPath: "blocks[0].elements"},
		{name: "block_id", m: msg(slack.NewDividerBlock(), slack.NewSectionBlock(ok, nil, nil, slack.SectionBlockOptionBlockID(long("b", 256)))),
			wantLimit: "block_id", wantPath: "blocks[1].block_id"},
		{name: "action_id", m: msg(slack.NewActionBlock("", button(long("a", 256), "v", "Go"))),
			wantLimit: "action_id", wantPath: "blocks[0].elements[0].action_id"},
		{name: "action_id of an accessory", m: msg(slack.NewSectionBlock(ok, nil, slack.NewAccessory(button(long("a", 256), "v", "Go")))),
			wantLimit: "action_id", wantPath: "blocks[0].accessory.action_id"},
		{name: "button text", m: msg(slack.NewActionBlock("", button("offer_gesture", "v", long("x", 76)))),
			wantLimit: "button text", wantPath: "blocks[0].elements[0].text"},
		{name: "button value", m: msg(slack.NewActionBlock("", button("offer_gesture", long("v", 2001), "Go"))),
			wantLimit: "button value", wantPath: "blocks[0].elements[0].value"},
		{name: "actions elements", m: msg(slack.NewActionBlock("", func() []slack.BlockElement {
			els := make([]slack.BlockElement, 26)
			for i := range els {
				els[i] = button("approve_gesture", "1", "OK")
			}
			return els
		}()...)), wantLimit: "actions elements", wantPath: "blocks[0].elements"},
		{name: "empty text object", m: msg(slack.NewSectionBlock(mrkdwn(""), nil, nil)),
			wantLimit: "text object", wantPath: "blocks[0].text.text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate(tt.m)
			if tt.wantLimit == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate passed; want %s error", tt.wantLimit)
			}
			if !strings.Contains(err.Error(), tt.wantLimit) {
				t.Errorf("error %q does not name %q", err, tt.wantLimit)
			}
			le, ok := errors.AsType[*LimitError](err)
			if !ok {
				t.Fatalf("error %v is not a *LimitError", err)
			}
			if le.Limit != tt.wantLimit || le.Path != tt.wantPath {
				t.Errorf("got %s at %s, want %s at %s", le.Limit, le.Path, tt.wantLimit, tt.wantPath)
			}
		})
	}
}

func TestValidateReportsEveryViolation(t *testing.T) {
	t.Parallel()
	err := Validate(Message{Blocks: []slack.Block{
		slack.NewHeaderBlock(plain(strings.Repeat("h", 151))),
		slack.NewSectionBlock(mrkdwn(strings.Repeat("s", 3001)), nil, nil),
	}})
	for _, want := range []string{"text: fallback text must not be empty", "blocks[0].text: header text is 151, Slack allows at most 150",
		"blocks[1].text: section text is 3001"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

func TestGoldenCardsPassValidate(t *testing.T) {
	t.Parallel()
	for name, c := range viewtest.SampleCards() {
		if err := Validate(CardMessage(c)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func msg(blocks ...slack.Block) Message { return Message{Text: "fallback", Blocks: blocks} }

func dividers(n int) []slack.Block {
	bs := make([]slack.Block, n)
	for i := range bs {
		bs[i] = slack.NewDividerBlock()
	}
	return bs
}

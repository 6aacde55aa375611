package view

import (
	"strings"
	"testing"
)

func TestWithDraft(t *testing.T) {
	t.Parallel()
	todo := FulfilmentTodoMessage(noteEntry(), "Jane Doe")
	m := WithDraft(todo, "Dear Jane, <thank you> & welcome.", true)
	if err := Validate(m); err != nil {
		t.Fatal(err)
	}
	if len(m.Blocks) != len(todo.Blocks)+1 || !strings.Contains(m.Plain, "drafted by AI") {
		t.Fatalf("draft not added: %+v", m)
	}
	b := string(blocksPayload(t, m.Blocks))
	if !strings.Contains(b, "&lt;thank you&gt; &amp; welcome") || !strings.Contains(b, "mark_sent") {
		t.Errorf("draft section: %s", b)
	}
	if same := WithDraft(todo, "   ", false); len(same.Blocks) != len(todo.Blocks) {
		t.Error("an empty draft added a section")
	}
	long := WithDraft(todo, strings.Repeat("x", 5000), false)
	if err := Validate(long); err != nil {
		t.Errorf("long draft: %v", err)
	}
}

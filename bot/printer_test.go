package bot

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

func TestPrinter(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := NewPrinter(&out)
	ctx := context.Background()
	card := viewtest.RichCard()

	ts, err := p.PostCard(ctx, "C0CARDS", &card)
	if err != nil || ts != "local-1" {
		t.Fatalf("PostCard = %q, %v", ts, err)
	}
	if err := p.UpdateCard(ctx, "C0CARDS", ts, &card); err != nil {
		t.Fatal(err)
	}
	reply, err := p.PostMessage(ctx, "C0CARDS", view.Message{Text: "Noted &amp; done"}, ts)
	if err != nil || reply != "local-2" {
		t.Fatalf("reply = %q, %v", reply, err)
	}
	got := out.String()
	text := view.CardText(card)
	for _, want := range []string{
		"── new card local-1 in C0CARDS ─", "\n" + text,
		"── updated card local-1 in C0CARDS ─",
		"── reply local-2 in thread local-1 in C0CARDS ─", "\nNoted & done\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, text) != 2 {
		t.Errorf("card printed %d times, want 2", strings.Count(got, text))
	}
}

func TestPrinterCanceled(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewPrinter(&out).PostMessage(ctx, "C1", view.Message{Text: "x"}, ""); err == nil {
		t.Error("printed after cancel")
	}
	if out.Len() != 0 {
		t.Error("wrote output")
	}
}

func TestPrinterConcurrent(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer // not safe for concurrent use: the Printer must serialise
	p := &Printer{W: &out}
	const n = 20
	var wg sync.WaitGroup
	tss := make([]string, n)
	for i := range n {
		wg.Go(func() {
			m := view.Message{Plain: fmt.Sprintf("card %d line 1\ncard %d line 2\n", i, i)}
			ts, err := p.PostMessage(context.Background(), "C1", m, "")
			if err != nil {
				t.Error(err)
			}
			tss[i] = ts
			if err := p.UpdateMessage(context.Background(), "C1", ts, m); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, ts := range tss {
		if seen[ts] {
			t.Errorf("ts %s given twice", ts)
		}
		seen[ts] = true
	}
	for i := range n {
		whole := fmt.Sprintf("card %d line 1\ncard %d line 2\n", i, i)
		if strings.Count(out.String(), whole) != 2 {
			t.Errorf("card %d interleaved or missing", i)
		}
	}
}

// In local mode a file (the digest's chart) is written to a file whose
// path is printed.
func TestPrinterUploadFile(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := &Printer{W: &out, Dir: t.TempDir()}
	data := []byte("\x89PNG\r\n\x1a\nchart")
	if err := p.UploadFile(context.Background(), "C0DIGEST", "plusone-effects.png", "Effects", "The effects", data); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	path := lines[len(lines)-1]
	if !strings.HasPrefix(out.String(), "── file for C0DIGEST: Effects ──\nThe effects\n") || !strings.HasPrefix(path, p.Dir) ||
		!strings.HasSuffix(path, "plusone-effects.png") {
		t.Fatalf("printed %q", out.String())
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("file %s = %q, %v", path, got, err)
	}
}

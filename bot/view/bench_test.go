package view

import (
	"testing"

	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// BenchmarkCardMessage renders the rich golden card as Block Kit.
func BenchmarkCardMessage(b *testing.B) {
	card := viewtest.RichCard()
	b.ReportAllocs()
	for b.Loop() {
		if m := CardMessage(card); len(m.Blocks) == 0 {
			b.Fatal("no blocks")
		}
	}
}

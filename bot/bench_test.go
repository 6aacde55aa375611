package bot

import "testing"

// BenchmarkCardMessage renders the rich golden card as Block Kit.
func BenchmarkCardMessage(b *testing.B) {
	card := richCard()
	b.ReportAllocs()
	for b.Loop() {
		if m := CardMessage(card); len(m.Blocks) == 0 {
			b.Fatal("no blocks")
		}
	}
}

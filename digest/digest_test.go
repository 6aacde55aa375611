package digest

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/plusone-hq/plusone"
)

// The digest's chart is a PNG Slack can show; a digest with no effect has
// none to draw.
func TestEffectsChartIsAPNG(t *testing.T) {
	t.Parallel()
	b, err := effectsChart(plusone.Digest{Effects: []plusone.GestureEffect{
		{Gesture: "free_express_shipping", Title: "Free express shipping", Diff: 0.2, Low: 0.15, High: 0.25},
		{Gesture: "handwritten_note", Diff: 0.01, Low: -0.04, High: 0.06}}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() < 600 || r.Dy() < 100 {
		t.Errorf("chart of %v", r)
	}
	if _, err := effectsChart(plusone.Digest{}); err == nil {
		t.Error("a chart of no effects drawn")
	}
}

package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"
)

var sample = []Bar{
	{Label: "free_express_shipping", Diff: 19, Low: 11, High: 27},
	{Label: "discount_10", Diff: 1.2, Low: -4.5, High: 6.8},
	{Label: "handwritten_note", Diff: -3, Low: -9.5, High: -0.4},
}

func TestEffectsPNG(t *testing.T) {
	t.Parallel()
	var heights []int
	for _, bars := range [][]Bar{sample[:1], sample} {
		b, err := EffectsPNG("Repeat purchase, 30 days", "percentage points", bars)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		size := img.Bounds().Size()
		if size.X != 1152 || size.Y < 250 || size.Y > 1200 {
			t.Errorf("%d bars: %dx%d px, want 1152 wide and a readable height", len(bars), size.X, size.Y)
		}
		heights = append(heights, size.Y)
	}
	if heights[1] <= heights[0] {
		t.Errorf("heights %v: more gestures should make a taller chart", heights)
	}
}

func TestEffectsSVG(t *testing.T) {
	t.Parallel()
	b, err := EffectsSVG("Repeat purchase, 30 days", "percentage points", sample)
	if err != nil {
		t.Fatal(err)
	}
	// Well-formed XML, and its text nodes carry the title, the labels and the values.
	var text strings.Builder
	d := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			text.Write(tok)
		}
	}
	if root != "svg" {
		t.Errorf("root element %q, want svg", root)
	}
	if !bytes.Contains(b, []byte("<title>Repeat purchase, 30 days</title><desc>Repeat purchase, 30 days. Effect in")) {
		t.Errorf("SVG lacks the <title> and <desc> a screen reader announces")
	}
	for _, want := range []string{
		"Repeat purchase, 30 days",
		"free_express_shipping", "handwritten_note",
		"+19.0 (+11.0 to +27.0), clear",
		"+1.2 (-4.5 to +6.8), could be no effect",
		"-3.0 (-9.5 to -0.4), clear",
		"Effect in percentage points: treatment minus holdout, 95% interval",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("SVG text lacks %q", want)
		}
	}
}

func TestEffectsEdges(t *testing.T) {
	t.Parallel()
	if _, err := EffectsPNG("t", "u", nil); !errors.Is(err, ErrNoBars) {
		t.Errorf("no bars: err %v, want ErrNoBars", err)
	}
	odd := []Bar{
		{Label: "no data", Diff: math.NaN(), Low: math.NaN(), High: math.NaN()},
		{Label: "one customer", Diff: 12, Low: math.Inf(-1), High: math.Inf(1)},
		{Label: "all zero", Diff: 0, Low: 0, High: 0},
	}
	for _, bars := range [][]Bar{odd, odd[:1], odd[2:]} {
		if _, err := EffectsPNG("t", "", bars); err != nil {
			t.Errorf("%v: %v", bars, err)
		}
		svg, err := EffectsSVG("t", "", bars)
		if err != nil {
			t.Errorf("%v: %v", bars, err)
		}
		if bars[0].Label == "no data" && !bytes.Contains(svg, []byte("no data yet")) {
			t.Errorf("a NaN effect should read 'no data yet'")
		}
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		bar      Bar
		decimals int
		want     string
	}{
		{Bar{Diff: 0.19, Low: 0.11, High: 0.27}, 2, "+0.19 (+0.11 to +0.27), clear"},
		{Bar{Diff: 0.001, Low: -0.05, High: 0.052}, 2, "0.00 (-0.05 to +0.05), could be no effect"},
		{Bar{Diff: -0.0001, Low: -0.2, High: -0.1}, 1, "0.0 (-0.2 to -0.1), clear"},
		{Bar{Diff: 1200, Low: 800, High: 1600}, 0, "+1200 (+800 to +1600), clear"},
		{Bar{Diff: 3, Low: math.Inf(-1), High: math.Inf(1)}, 1, "+3.0 (too few customers for an interval)"},
		{Bar{Diff: math.NaN()}, 1, "no data yet"},
	}
	for _, tt := range tests {
		if got, _ := describe(tt.bar, tt.decimals, -1); got != tt.want {
			t.Errorf("describe(%+v, %d) = %q, want %q", tt.bar, tt.decimals, got, tt.want)
		}
	}
}

func TestDecimalsFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		span float64
		want int
	}{{0.05, 3}, {0.3, 2}, {16, 1}, {36, 1}, {500, 0}}
	for _, tt := range tests {
		if got := decimalsFor(tt.span); got != tt.want {
			t.Errorf("decimalsFor(%v) = %d, want %d", tt.span, got, tt.want)
		}
	}
}

func TestAltText(t *testing.T) {
	t.Parallel()
	got := AltText("Repeat purchase, 30 days", "percentage points", sample[:2])
	want := "Repeat purchase, 30 days. Effect in percentage points: treatment minus holdout, 95% interval." +
		" free_express_shipping: +19.0 (+11.0 to +27.0), clear." +
		" discount_10: +1.2 (-4.5 to +6.8), could be no effect."
	if got != want {
		t.Errorf("AltText =\n%q\nwant\n%q", got, want)
	}
	// A title with markup stays text in the SVG.
	svg, err := EffectsSVG("a <b> & c", "u", sample[:1])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("<title>a &lt;b&gt; &amp; c</title>")) {
		t.Errorf("title not escaped")
	}
}

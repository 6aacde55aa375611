// Package chart draws the effect charts of the outcomes report server-side
// with gonum/plot: one row per gesture, its estimated effect as a dot and its
// confidence interval as a line with caps, against a dashed zero line. The
// numbers are written next to each row, and whether an interval excludes zero
// is shown by the dot's shape (filled or hollow) and in words, never by colour
// alone.
package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Bar is one gesture's effect and interval.
type Bar struct {
	Label           string
	Diff, Low, High float64
}

// ErrNoBars is returned when there is nothing to draw.
var ErrNoBars = errors.New("chart: no effects to draw")

// dpi is the resolution of the PNG: 8 inches wide make 1,152 pixels, sharp
// in Slack on a high-density screen.
const dpi = 144

// Sizes: the width, and the height of one row and of the title, axis and margins.
const (
	width     = 8 * vg.Inch
	rowHeight = 0.55 * vg.Inch
	frame     = 1.5 * vg.Inch
)

// Grey levels: near-black ink for everything that carries meaning, mid grey for the zero line and grid.
const (
	inkGrey    = 0x20
	subtleGrey = 0x80
	gridGrey   = 0xdd
)

// EffectsPNG draws the bars as a horizontal interval plot with a zero line and
// labelled axes, as a PNG. unit names what the effects are measured in (it
// labels the x axis, e.g. "percentage points of repeat purchase").
func EffectsPNG(title, unit string, bars []Bar) ([]byte, error) {
	p, h, err := effects(title, unit, bars)
	if err != nil {
		return nil, err
	}
	c := vgimg.NewWith(vgimg.UseWH(width, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// EffectsSVG is EffectsPNG as SVG, for the web console.
func EffectsSVG(title, unit string, bars []Bar) ([]byte, error) {
	p, h, err := effects(title, unit, bars)
	if err != nil {
		return nil, err
	}
	c := vgsvg.NewWith(vgsvg.UseWH(width, h))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode svg: %w", err)
	}
	return withTitle(buf.Bytes(), title, AltText(title, unit, bars))
}

// withTitle puts <title> and <desc> first inside the <svg> element, which is
// what screen readers announce for an SVG image.
func withTitle(svg []byte, title, desc string) ([]byte, error) {
	start := bytes.Index(svg, []byte("<svg"))
	end := bytes.IndexByte(svg[max(start, 0):], '>')
	if start < 0 || end < 0 {
		return nil, fmt.Errorf("chart: no <svg> element in the drawing")
	}
	at := start + end + 1
	var b bytes.Buffer
	b.Write(svg[:at])
	b.WriteString("<title>")
	if err := xml.EscapeText(&b, []byte(title)); err != nil {
		return nil, fmt.Errorf("chart: svg title: %w", err)
	}
	b.WriteString("</title><desc>")
	if err := xml.EscapeText(&b, []byte(desc)); err != nil {
		return nil, fmt.Errorf("chart: svg description: %w", err)
	}
	b.WriteString("</desc>")
	b.Write(svg[at:])
	return b.Bytes(), nil
}

// AltText is the chart in words, one sentence per gesture, for those who
// cannot see it (Slack's alt text of the uploaded PNG, the SVG's description).
func AltText(title, unit string, bars []Bar) string {
	var b strings.Builder
	b.WriteString(title)
	if !strings.HasSuffix(title, ".") && !strings.HasSuffix(title, "?") && !strings.HasSuffix(title, "!") {
		b.WriteString(".")
	}
	b.WriteString(" ")
	b.WriteString(xLabel(unit))
	b.WriteString(".")
	lo, hi := span(bars)
	for _, bar := range bars {
		text, _ := describe(bar, decimalsFor(hi-lo), 0)
		fmt.Fprintf(&b, " %s: %s.", bar.Label, text)
	}
	return b.String()
}

// effects builds the plot and the height it needs. The first bar is drawn at the top.
func effects(title, unit string, bars []Bar) (*plot.Plot, vg.Length, error) {
	if len(bars) == 0 {
		return nil, 0, ErrNoBars
	}
	p := newPlot(title, xLabel(unit), "Gesture")
	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil // rows are categories: only the value lines help
	grid.Vertical.Color = color.Gray{Y: gridGrey}
	p.Add(grid, zeroLine(len(bars)))

	lo, hi := span(bars)
	pad := (hi - lo) * 0.08
	if pad == 0 {
		pad = 1
	}
	p.X.Min, p.X.Max = lo-pad, hi+pad
	decimals := decimalsFor(hi - lo)

	var ticks []plot.Tick
	var labels plotter.XYLabels
	for i, b := range bars {
		y := float64(len(bars) - 1 - i)
		ticks = append(ticks, plot.Tick{Value: y, Label: b.Label})
		text, x := describe(b, decimals, lo-pad)
		labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: y + 0.22})
		labels.Labels = append(labels.Labels, text)
		if err := addBar(p, b, y, lo-pad, hi+pad); err != nil {
			return nil, 0, err
		}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.6, float64(len(bars))-0.3
	p.Y.Padding, p.X.Padding = 0, 0

	l, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, 0, fmt.Errorf("chart: labels: %w", err)
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = sans(11)
		l.TextStyle[i].Color = color.Gray{Y: inkGrey}
		l.TextStyle[i].XAlign = draw.XCenter
	}
	p.Add(l)
	return p, frame + rowHeight*vg.Length(len(bars)), nil
}

// span is the range of the finite values of bars, and zero.
func span(bars []Bar) (lo, hi float64) {
	for _, b := range bars {
		for _, v := range []float64{b.Diff, b.Low, b.High} {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo, hi
}

// xLabel is the x axis label: the unit, the direction and the level.
func xLabel(unit string) string {
	if unit == "" {
		unit = "effect"
	}
	return "Effect in " + unit + ": treatment minus holdout, 95% interval"
}

// sans is Liberation Sans (embedded in gonum/plot) at size points: plainer on a screen than the default serif.
// newPlot is a plot with the charts' title, axis labels and ink.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(15)
	p.Title.Padding = 0.15 * vg.Inch
	p.X.Label.Text = x
	p.Y.Label.Text = y
	ink := color.Gray{Y: inkGrey}
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(12)
		a.Tick.Label.Font = sans(11)
		a.Color, a.Tick.Color, a.Tick.Label.Color, a.Label.TextStyle.Color = ink, ink, ink, ink
	}
	return p
}

func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// zeroLine is the dashed vertical line at no effect.
func zeroLine(n int) plot.Plotter {
	l, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: -0.6}, {X: 0, Y: float64(n) - 0.3}})
	l.LineStyle = draw.LineStyle{Color: color.Gray{Y: subtleGrey}, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(5), vg.Points(4)}}
	return l
}

// addBar draws one interval and its dot. Infinite ends are drawn to the edge;
// a NaN effect draws nothing (its label says so).
func addBar(p *plot.Plot, b Bar, y, xmin, xmax float64) error {
	if math.IsNaN(b.Diff) || math.IsInf(b.Diff, 0) {
		return nil
	}
	low, high := clamp(b.Low, xmin, xmax), clamp(b.High, xmin, xmax)
	if !math.IsNaN(low) && !math.IsNaN(high) {
		eb, err := plotter.NewXErrorBars(struct {
			plotter.XYs
			plotter.XErrors
		}{plotter.XYs{{X: b.Diff, Y: y}}, plotter.XErrors{{Low: b.Diff - low, High: high - b.Diff}}})
		if err != nil {
			return fmt.Errorf("chart: interval of %q: %w", b.Label, err)
		}
		eb.LineStyle = draw.LineStyle{Color: color.Gray{Y: inkGrey}, Width: vg.Points(2.2)}
		eb.CapWidth = vg.Points(10)
		p.Add(eb)
	}
	s, err := plotter.NewScatter(plotter.XYs{{X: b.Diff, Y: y}})
	if err != nil {
		return fmt.Errorf("chart: effect of %q: %w", b.Label, err)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: color.Gray{Y: inkGrey}, Radius: vg.Points(5), Shape: draw.RingGlyph{}}
	if excludesZero(b) {
		s.GlyphStyle.Shape = draw.CircleGlyph{}
	}
	p.Add(s)
	if !excludesZero(b) { // a white centre so the hollow ring reads as hollow over the line
		inner, _ := plotter.NewScatter(plotter.XYs{{X: b.Diff, Y: y}})
		inner.GlyphStyle = draw.GlyphStyle{Color: color.White, Radius: vg.Points(3.4), Shape: draw.CircleGlyph{}}
		p.Add(inner)
	}
	return nil
}

// excludesZero reports whether the interval lies wholly on one side of zero.
func excludesZero(b Bar) bool { return b.Low > 0 || b.High < 0 }

// describe is the text written above a row, and where: over the effect.
func describe(b Bar, decimals int, leftEdge float64) (string, float64) {
	if math.IsNaN(b.Diff) || math.IsInf(b.Diff, 0) {
		return "no data yet", math.Max(leftEdge, 0)
	}
	text := signed(b.Diff, decimals)
	switch {
	case math.IsInf(b.Low, 0) || math.IsInf(b.High, 0) || math.IsNaN(b.Low) || math.IsNaN(b.High):
		text += " (too few customers for an interval)"
	default:
		text += " (" + signed(b.Low, decimals) + " to " + signed(b.High, decimals) + ")"
		if excludesZero(b) {
			text += ", clear"
		} else {
			text += ", could be no effect"
		}
	}
	return text, b.Diff
}

// signed formats v with a sign and the given decimals.
func signed(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if v >= 0 && s[0] != '-' {
		s = "+" + s
	}
	if s == "-0" || s == "+0" || (len(s) > 2 && s[1:] == strconv.FormatFloat(0, 'f', decimals, 64)) {
		s = s[1:]
	}
	return s
}

// decimalsFor picks enough decimals to tell the values apart over span.
func decimalsFor(span float64) int {
	switch {
	case span >= 200:
		return 0
	case span >= 2:
		return 1
	case span >= 0.2:
		return 2
	default:
		return 3
	}
}

// clamp keeps v within [lo, hi]; NaN stays NaN.
func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return v
	}
	return math.Max(lo, math.Min(hi, v))
}

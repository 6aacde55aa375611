package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Series is one line of a chart over days: what it is (an agent, a team)
// and its value on each day, in the order of the days.
type Series struct {
	Label  string
	Values []float64
}

// ErrNoDays is returned when there are no days to draw.
var ErrNoDays = errors.New("chart: no days to draw")

// Sizes of the spend chart: the plot's height, and the legend's per line.
const (
	spendHeight  = 3.6 * vg.Inch
	legendHeight = 0.28 * vg.Inch
)

// SpendSVG draws spend over days as lines with a point on each day, one
// line per series, as SVG for the web console. Each series has its own
// point shape and dash pattern as well as its colour (a colour-blind-safe
// palette), and the legend names them, so no line is told from another by
// colour alone. unit names the y axis (e.g. "USD spent"). The SVG carries
// a title and a description listing every point in words.
func SpendSVG(title, unit string, days []time.Time, series []Series) ([]byte, error) {
	if len(days) == 0 {
		return nil, ErrNoDays
	}
	for _, s := range series {
		if len(s.Values) != len(days) {
			return nil, fmt.Errorf("chart: series %q has %d values for %d days", s.Label, len(s.Values), len(days))
		}
	}
	p := newPlot(title, "Day", unit)
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = color.Gray{Y: gridGrey}
	p.Add(grid)
	p.X.Min, p.X.Max = -0.5, float64(len(days))-0.5
	p.Y.Min = 0
	p.X.Tick.Marker = plot.ConstantTicks(dayTicks(days))
	// The legend sits in the headroom above the highest point.
	top := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	if top == 0 {
		top = 1
	}
	p.Y.Max = top * (1.1 + 0.12*float64(len(series)))
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.Padding = vg.Points(3)
	p.Legend.XOffs = vg.Points(8)
	p.Legend.TextStyle.Font = sans(11)
	p.Legend.TextStyle.Color = color.Gray{Y: inkGrey}
	for i, s := range series {
		xys := make(plotter.XYs, len(days))
		for d, v := range s.Values {
			xys[d] = plotter.XY{X: float64(d), Y: v}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("chart: series %q: %w", s.Label, err)
		}
		c := palette(i)
		line.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(2), Dashes: dashes(i)}
		points.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: shape(i)}
		p.Add(line, points)
		p.Legend.Add(s.Label, line, points)
	}
	c := vgsvg.NewWith(vgsvg.UseWH(width, spendHeight+legendHeight*vg.Length(len(series)/3)))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode svg: %w", err)
	}
	return withTitle(buf.Bytes(), title, SpendText(title, unit, days, series))
}

// SpendText is the spend chart in words: per series, the value of every
// day ("Nov 28: 15.00").
func SpendText(title, unit string, days []time.Time, series []Series) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(title, "."))
	fmt.Fprintf(&b, ". %s per day from %s to %s.", unit, days[0].Format("Jan 2"), days[len(days)-1].Format("Jan 2 2006"))
	if len(series) == 0 {
		b.WriteString(" Nothing was spent.")
	}
	for _, s := range series {
		fmt.Fprintf(&b, " %s:", s.Label)
		for d, v := range s.Values {
			if d > 0 {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " %s: %s", days[d].Format("Jan 2"), strconv.FormatFloat(v, 'f', 2, 64))
		}
		b.WriteString(".")
	}
	return b.String()
}

// dayTicks labels the days, every one while they fit and fewer when they
// would crowd (at most about 10 labels).
func dayTicks(days []time.Time) []plot.Tick {
	step := max(1, (len(days)+9)/10)
	ticks := make([]plot.Tick, 0, len(days))
	for i, d := range days {
		t := plot.Tick{Value: float64(i)}
		if i%step == 0 {
			t.Label = d.Format("Jan 2")
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// palette is Okabe and Ito's colour-blind-safe palette (without yellow,
// too pale on white), in turn.
func palette(i int) color.Color {
	cs := [...]color.RGBA{
		{0x00, 0x72, 0xB2, 0xff}, // blue
		{0xD5, 0x5E, 0x00, 0xff}, // vermillion
		{0x00, 0x9E, 0x73, 0xff}, // bluish green
		{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
		{0x56, 0xB4, 0xE9, 0xff}, // sky blue
		{0xE6, 0x9F, 0x00, 0xff}, // orange
		{0x00, 0x00, 0x00, 0xff}, // black
	}
	return cs[i%len(cs)]
}

// shape is the point shape of series i, in turn.
func shape(i int) draw.GlyphDrawer {
	shapes := [...]draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{},
		draw.RingGlyph{}, draw.BoxGlyph{}, draw.PlusGlyph{}, draw.PyramidGlyph{}}
	return shapes[i%len(shapes)]
}

// dashes is the dash pattern of series i, in turn: solid, dashed, dotted,
// dash-dot.
func dashes(i int) []vg.Length {
	switch i % 4 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(1.5), vg.Points(2.5)}
	case 3:
		return []vg.Length{vg.Points(6), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)}
	}
	return nil
}

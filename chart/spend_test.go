package chart

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"
)

// The spend chart is valid SVG with a title and a description that names
// every point of every series; the series differ in shape and dash, not
// only in colour.
func TestSpendSVG(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	days := []time.Time{start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 2)}
	series := []Series{{Label: "Agent U0ANA", Values: []float64{15, 0, 4}}, {Label: "Team frontline", Values: []float64{15, 10, 4}}}
	svg, err := SpendSVG("Spend per day", "USD spent", days, series)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Title   string   `xml:"title"`
		Desc    string   `xml:"desc"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("not SVG: %v", err)
	}
	if doc.Title != "Spend per day" {
		t.Errorf("title = %q", doc.Title)
	}
	for _, want := range []string{"USD spent per day from Nov 28 to Nov 30 2026.", "Agent U0ANA: Nov 28: 15.00; Nov 29: 0.00; Nov 30: 4.00.",
		"Team frontline: Nov 28: 15.00; Nov 29: 10.00; Nov 30: 4.00."} {
		if !strings.Contains(doc.Desc, want) {
			t.Errorf("description lacks %q:\n%s", want, doc.Desc)
		}
	}
	for _, label := range []string{"Agent U0ANA", "Team frontline", "Nov 28", "Nov 30", "USD spent", "Day"} {
		if !strings.Contains(string(svg), ">"+label+"<") {
			t.Errorf("the drawing does not show %q", label)
		}
	}
	if shape(0) == shape(1) || len(dashes(0)) == len(dashes(1)) {
		t.Error("two series look alike but for their colour")
	}
	if _, err := SpendSVG("x", "y", nil, nil); !errors.Is(err, ErrNoDays) {
		t.Errorf("no days: %v", err)
	}
	if _, err := SpendSVG("x", "y", days, []Series{{Label: "short", Values: []float64{1}}}); err == nil {
		t.Error("a series shorter than the days was drawn")
	}
}

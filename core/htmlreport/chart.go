package htmlreport

import (
	"fmt"
	"strings"
	"time"
)

// chartPoint is one compliance figure in time.
type chartPoint struct {
	At      time.Time
	Percent float64
	Hosts   int
}

// chart is a compliance-over-time line drawn as SVG: Line is the
// polyline's points in the viewBox, Days the last point of each of the
// latest days, for the table that says the same as the picture.
type chart struct {
	Width, Height   int
	Left, Top, W, H int
	Line            string
	Dots            []dot
	Grid            []gridLine
	From, To        string
	FromPct, ToPct  string
	MinPct, MaxPct  string
	Points          int
	// Noun names what the points are ("reconciles").
	Noun                string
	Days                []dayRow
	FirstX, LastX, Base int
}

type dot struct{ X, Y float64 }

type gridLine struct {
	Y     int
	Label string
}

type dayRow struct {
	Day, Percent string
	Hosts        int
}

// maxDots bounds the points drawn as dots; more are a line only.
const maxDots = 60

// maxDays bounds the table of daily figures.
const maxDays = 14

// newChart lays points (oldest first) out on a 720×220 grid; nil when
// there is none.
func newChart(pts []chartPoint) *chart {
	if len(pts) == 0 {
		return nil
	}
	c := &chart{Width: 720, Height: 220, Left: 48, Top: 12, W: 656, H: 170, Points: len(pts), Noun: "reconciles"}
	c.Base = c.Top + c.H
	c.FirstX, c.LastX = c.Left, c.Left+c.W
	for _, p := range []int{0, 25, 50, 75, 100} {
		c.Grid = append(c.Grid, gridLine{Y: c.Top + c.H - p*c.H/100, Label: fmt.Sprintf("%d%%", p)})
	}
	t0, t1 := pts[0].At, pts[len(pts)-1].At
	span := t1.Sub(t0)
	var b strings.Builder
	lo, hi := pts[0].Percent, pts[0].Percent
	for i, p := range pts {
		x := float64(c.Left) + float64(c.W)/2
		if span > 0 {
			x = float64(c.Left) + float64(c.W)*float64(p.At.Sub(t0))/float64(span)
		} else if len(pts) > 1 {
			x = float64(c.Left) + float64(c.W)*float64(i)/float64(len(pts)-1)
		}
		y := float64(c.Top) + float64(c.H)*(100-p.Percent)/100
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", x, y)
		if len(pts) <= maxDots {
			c.Dots = append(c.Dots, dot{X: x, Y: y})
		}
		lo, hi = min(lo, p.Percent), max(hi, p.Percent)
	}
	c.Line = b.String()
	c.From, c.To = pts[0].At.UTC().Format("2006-01-02"), pts[len(pts)-1].At.UTC().Format("2006-01-02")
	c.FromPct, c.ToPct = pct(pts[0].Percent), pct(pts[len(pts)-1].Percent)
	c.MinPct, c.MaxPct = pct(lo), pct(hi)
	for i := len(pts) - 1; i >= 0 && len(c.Days) < maxDays; i-- {
		day := pts[i].At.UTC().Format("2006-01-02")
		if len(c.Days) > 0 && c.Days[len(c.Days)-1].Day == day {
			continue
		}
		c.Days = append(c.Days, dayRow{Day: day, Percent: pct(pts[i].Percent), Hosts: pts[i].Hosts})
	}
	return c
}

// pct formats a compliance percentage as summary.json rounds it.
func pct(p float64) string { return fmt.Sprintf("%.1f%%", p) }

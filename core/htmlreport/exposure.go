package htmlreport

import (
	"fmt"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// exposurePoint is the fleet's open vulnerability exposure at a time.
type exposurePoint struct {
	At time.Time
	model.VulnExposure
}

// exposureChart is the fleet's exposure over time drawn as SVG: Open the
// host × CVE pairs with a fix missing, KEV those of them KEV-listed; Days
// the last point of each of the latest days, for the table that says the
// same as the picture.
type exposureChart struct {
	Width, Height       int
	Left, Top, W, H     int
	FirstX, LastX, Base int
	Open, KEV           string
	Grid                []gridLine
	From, To            string
	FromOpen, ToOpen    int
	FromKEV, ToKEV      int
	MaxOpen             int
	Points              int
	Days                []exposureDay
}

type exposureDay struct {
	Day string
	model.VulnExposure
}

// newExposureChart lays points (oldest first) out on the grid of
// newChart, scaled to the largest exposure; nil when there is none.
func newExposureChart(pts []exposurePoint) *exposureChart {
	if len(pts) == 0 {
		return nil
	}
	c := &exposureChart{Width: 720, Height: 220, Left: 48, Top: 12, W: 656, H: 170, Points: len(pts)}
	c.Base = c.Top + c.H
	c.FirstX, c.LastX = c.Left, c.Left+c.W
	for _, p := range pts {
		c.MaxOpen = max(c.MaxOpen, p.HostCVEs)
	}
	top := niceCeil(c.MaxOpen)
	for _, v := range []int{0, top / 2, top} {
		c.Grid = append(c.Grid, gridLine{Y: c.Top + c.H - v*c.H/top, Label: fmt.Sprint(v)})
	}
	t0, t1 := pts[0].At, pts[len(pts)-1].At
	span := t1.Sub(t0)
	var open, kev strings.Builder
	for i, p := range pts {
		x := float64(c.Left) + float64(c.W)/2
		if span > 0 {
			x = float64(c.Left) + float64(c.W)*float64(p.At.Sub(t0))/float64(span)
		} else if len(pts) > 1 {
			x = float64(c.Left) + float64(c.W)*float64(i)/float64(len(pts)-1)
		}
		y := func(v int) float64 { return float64(c.Top) + float64(c.H)*float64(top-v)/float64(top) }
		if i > 0 {
			open.WriteByte(' ')
			kev.WriteByte(' ')
		}
		fmt.Fprintf(&open, "%.1f,%.1f", x, y(p.HostCVEs))
		fmt.Fprintf(&kev, "%.1f,%.1f", x, y(p.KEVHostCVEs))
	}
	c.Open, c.KEV = open.String(), kev.String()
	first, last := pts[0], pts[len(pts)-1]
	c.From, c.To = first.At.UTC().Format("2006-01-02"), last.At.UTC().Format("2006-01-02")
	c.FromOpen, c.ToOpen, c.FromKEV, c.ToKEV = first.HostCVEs, last.HostCVEs, first.KEVHostCVEs, last.KEVHostCVEs
	for i := len(pts) - 1; i >= 0 && len(c.Days) < maxDays; i-- {
		day := pts[i].At.UTC().Format("2006-01-02")
		if len(c.Days) > 0 && c.Days[len(c.Days)-1].Day == day {
			continue
		}
		c.Days = append(c.Days, exposureDay{Day: day, VulnExposure: pts[i].VulnExposure})
	}
	return c
}

// niceCeil is the smallest 1, 2 or 5 × 10ⁿ at or above n (at least 2, so
// the half-way line is a whole number).
func niceCeil(n int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if v := m * p; v >= n && v >= 2 {
				return v
			}
		}
	}
}

// fleetExposure is the fleet's exposure over time from the reports
// branch's summaries that recorded one, and this report's; nil when
// neither did (no feeds).
func (s *site) fleetExposure() *exposureChart {
	var pts []exposurePoint
	if s.in.History != nil {
		for _, p := range s.in.History.Fleet {
			if p.Exposure != nil {
				pts = append(pts, exposurePoint{At: p.At, VulnExposure: *p.Exposure})
			}
		}
	}
	if v := s.in.Summary.Vulnerabilities; v != nil && (len(pts) == 0 || s.now.After(pts[len(pts)-1].At)) {
		pts = append(pts, exposurePoint{At: s.now, VulnExposure: v.Exposure})
	}
	return newExposureChart(pts)
}

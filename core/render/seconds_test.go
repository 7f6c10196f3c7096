package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// TestJSONTimesInSeconds: plan JSON, summary.json and report.json write
// UTC times with Z and no fraction of a second, as the contract shows,
// whatever clock made them (issue 18, item 20).
func TestJSONTimesInSeconds(t *testing.T) {
	at := time.Date(2026, 11, 23, 11, 0, 0, 123456789, time.FixedZone("CET", 3600))
	var b bytes.Buffer
	if err := JSON(&b, &model.Plan{FormatVersion: "1", GeneratedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := SummaryJSON(&b, &model.FleetSummary{GeneratedAt: at,
		RecentlyInstalled: []model.RecentInstall{{Host: "a", InstalledAt: at}}}); err != nil {
		t.Fatal(err)
	}
	if err := ReportJSON(&b, &model.Report{Host: "a", Items: []model.Item{{Package: "p", InstalledAt: &at}}, LastApply: &model.LastApply{StartedAt: at, FinishedAt: at}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, ".123") || strings.Contains(out, "+01:00") {
		t.Errorf("times keep a fraction or a zone:\n%s", out)
	}
	if n := strings.Count(out, `"2026-11-23T10:00:00Z"`); n != 6 {
		t.Errorf("want 6 times as 2026-11-23T10:00:00Z, got %d:\n%s", n, out)
	}
}

package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// errNilReport is returned by the report views when given nothing to render.
var errNilReport = errors.New("render: no report to render")

// ReportJSON writes a host's report.json (DESIGN.md section 6): two-space
// indentation, no HTML escaping, a trailing newline, [] for empty lists and
// null for a missing last apply. The caller's report is not modified.
func ReportJSON(w io.Writer, r *model.Report) error {
	if r == nil {
		return errNilReport
	}
	out := *r
	out.Items = make([]model.Item, len(r.Items))
	for i, it := range r.Items {
		if it.CVEs == nil {
			it.CVEs = []string{}
		}
		if it.InstalledAt != nil {
			at := seconds(*it.InstalledAt)
			it.InstalledAt = &at
		}
		out.Items[i] = it
	}
	if r.LastApply != nil {
		la := *r.LastApply
		la.StartedAt, la.FinishedAt = seconds(la.StartedAt), seconds(la.FinishedAt)
		if la.Results == nil {
			la.Results = []model.ActionResult{}
		}
		out.LastApply = &la
	}
	if r.Agent != nil {
		a := *r.Agent
		a.LastSeen = secondsPtr(a.LastSeen)
		out.Agent = &a
	}
	return writeJSON(w, &out, "report")
}

// SummaryJSON writes the fleet's summary.json: two-space indentation, no
// HTML escaping, a trailing newline, {} and [] for empty maps and lists.
// The caller's summary is not modified.
func SummaryJSON(w io.Writer, s *model.FleetSummary) error {
	if s == nil {
		return errNilReport
	}
	out := *s
	out.GeneratedAt = seconds(out.GeneratedAt)
	if len(out.RecentlyInstalled) > 0 {
		out.RecentlyInstalled = append([]model.RecentInstall{}, out.RecentlyInstalled...)
		for i := range out.RecentlyInstalled {
			out.RecentlyInstalled[i].InstalledAt = seconds(out.RecentlyInstalled[i].InstalledAt)
		}
	}
	if out.Clients == nil {
		out.Clients = map[string]model.Counts{}
	}
	out.MissingByCVE = nonNilHosts(out.MissingByCVE)
	out.MissingByKB = nonNilHosts(out.MissingByKB)
	if out.MissingPatches == nil {
		out.MissingPatches = []model.MissingPatch{}
	}
	if out.Failures == nil {
		out.Failures = []model.Failure{}
	}
	if out.HaltedRollouts == nil {
		out.HaltedRollouts = []string{}
	}
	if out.PendingReboots == nil {
		out.PendingReboots = []string{}
	}
	if out.RecentlyInstalled == nil {
		out.RecentlyInstalled = []model.RecentInstall{}
	}
	if out.Warnings == nil {
		out.Warnings = []model.Warning{}
	}
	if out.Agents != nil {
		out.Agents = agentsJSON(out.Agents)
	}
	return writeJSON(w, &out, "summary")
}

// seconds is t in UTC without its fraction of a second: the contract's
// times read "2026-11-23T10:00:00Z".
func seconds(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

func nonNilHosts(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		if v == nil {
			v = []string{}
		}
		out[k] = v
	}
	return out
}

func writeJSON(w io.Writer, v any, what string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("render: encoding %s JSON: %w", what, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

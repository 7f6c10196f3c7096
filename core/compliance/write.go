package compliance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/tend-sh/tend/core/internal/atomicfile"

	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// Layout renders the reports layout as files by slash-separated path:
// SUMMARY.md, summary.json, per host hosts/<host>/report.json and, when
// the host has a snapshot, hosts/<host>/inventory.json, and per client
// label clients/<client>/SUMMARY.md and summary.json (ClientSummaries).
func Layout(reports []model.Report, s *model.FleetSummary, inv map[string]*model.Snapshot) (map[string][]byte, error) {
	return LayoutKeeping(reports, s, inv, nil)
}

// LayoutKeeping is Layout without the snapshots of the hosts keep (nil:
// none) returns true for: the reports branch already holds them byte for
// byte (reportsbranch.Holding), so they are not encoded again.
func LayoutKeeping(reports []model.Report, s *model.FleetSummary, inv map[string]*model.Snapshot, keep func(host string) bool) (map[string][]byte, error) {
	return LayoutReusing(reports, s, inv, keep, nil)
}

// LayoutReusing is LayoutKeeping without, too, the report.json of the
// hosts keepReport (nil: none) returns true for: the reports branch holds
// the very blob rendering them would give (tend report --commit's cache).
func LayoutReusing(reports []model.Report, s *model.FleetSummary, inv map[string]*model.Snapshot, keep, keepReport func(host string) bool) (map[string][]byte, error) {
	files := map[string][]byte{}
	for i := range reports {
		r := &reports[i]
		if keepReport == nil || !keepReport(r.Host) {
			var buf bytes.Buffer
			if err := render.ReportJSON(&buf, r); err != nil {
				return nil, err
			}
			files[reportsbranch.ReportPath(r.Host)] = buf.Bytes()
		}
		if snap := inv[r.Host]; snap != nil && (keep == nil || !keep(r.Host)) {
			data, err := inventory.Encode(snap)
			if err != nil {
				return nil, fmt.Errorf("host %s: %w", r.Host, err)
			}
			files[reportsbranch.SnapshotPath(r.Host)] = data
		}
	}
	var js, md bytes.Buffer
	if err := render.SummaryJSON(&js, s); err != nil {
		return nil, err
	}
	if err := render.SummaryMarkdown(&md, s, reports); err != nil {
		return nil, err
	}
	files[reportsbranch.SummaryJSONFile] = js.Bytes()
	files[reportsbranch.SummaryMarkdownFile] = md.Bytes()
	for _, cs := range ClientSummaries(reports, s) {
		var js, md bytes.Buffer
		if err := render.SummaryJSON(&js, &cs.Summary); err != nil {
			return nil, err
		}
		if err := render.SummaryMarkdown(&md, &cs.Summary, cs.Reports); err != nil {
			return nil, err
		}
		dir := reportsbranch.ClientDir(cs.Summary.Client)
		files[dir+"/"+reportsbranch.SummaryJSONFile] = js.Bytes()
		files[dir+"/"+reportsbranch.SummaryMarkdownFile] = md.Bytes()
	}
	return files, nil
}

// ClientSummary is the summary of one client's hosts and their reports.
type ClientSummary struct {
	Summary model.FleetSummary
	Reports []model.Report
}

// ClientSummaries scopes the fleet summary s to each client label the
// reports carry (model.Report.Client), sorted by client: the same
// computation over that client's hosts, with the fleet's configuration
// commit, time and halted rollouts, and Client set. Hosts without a label
// have none.
func ClientSummaries(reports []model.Report, s *model.FleetSummary) []ClientSummary {
	byClient := map[string][]model.Report{}
	for _, r := range reports {
		if r.Client != "" {
			byClient[r.Client] = append(byClient[r.Client], r)
		}
	}
	names := make([]string, 0, len(byClient))
	for c := range byClient {
		names = append(names, c)
	}
	sort.Strings(names)
	out := make([]ClientSummary, 0, len(names))
	for _, c := range names {
		rs := byClient[c]
		labels := make(map[string]string, len(rs))
		for _, r := range rs {
			labels[r.Host] = c
		}
		cs := Summarize(rs, labels, s.ConfigCommit, s.GeneratedAt)
		cs.Client = c
		cs.HaltedRollouts = append([]string{}, s.HaltedRollouts...)
		cs.Agents = clientAgents(s.Agents, c)
		out = append(out, ClientSummary{Summary: cs, Reports: rs})
	}
	return out
}

// ResultsJSON renders results.json: the applies the reports record for the
// first time (NewApplies).
func ResultsJSON(configCommit string, now time.Time, applies []model.HostApply) ([]byte, error) {
	if applies == nil {
		applies = []model.HostApply{}
	}
	b, err := json.MarshalIndent(model.Results{FormatVersion: model.ResultsFormatVersion,
		ConfigCommit: configCommit, GeneratedAt: now.UTC(), Applies: applies}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("results.json: %w", err)
	}
	return append(b, '\n'), nil
}

// WriteLayout writes the reports layout (see Layout) under dir. Each file is
// replaced atomically (temporary file, fsync, rename); files of hosts no
// longer reported are left alone.
func WriteLayout(dir string, reports []model.Report, s *model.FleetSummary, inv map[string]*model.Snapshot) error {
	files, err := Layout(reports, s, inv)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := atomicfile.Write(filepath.Join(dir, filepath.FromSlash(n)), files[n]); err != nil {
			return err
		}
	}
	return nil
}

// EnsureResults adds an empty results.json to files when neither files nor
// the branch t (nil: none yet) has one, so that from the first commit of a
// tend that records applies on, every commit has the file: tend history
// then reads the host reports (the slow way) only for commits made before.
func EnsureResults(files map[string][]byte, t *reportsbranch.Tree, configCommit string, now time.Time) error {
	if _, ok := files[reportsbranch.ResultsFile]; ok {
		return nil
	}
	if t != nil {
		if _, ok, err := t.File(reportsbranch.ResultsFile); err != nil || ok {
			return err
		}
	}
	b, err := ResultsJSON(configCommit, now, nil)
	if err != nil {
		return err
	}
	files[reportsbranch.ResultsFile] = b
	return nil
}

// clientAgents scopes the fleet's agent presence to one client: its stale
// agent hosts, and the unmanaged agents whose hello said that client. nil
// stays nil (no agent mode).
func clientAgents(p *model.AgentPresence, client string) *model.AgentPresence {
	if p == nil {
		return nil
	}
	out := &model.AgentPresence{StaleAfter: p.StaleAfter, Unmanaged: []model.UnmanagedAgent{}, Stale: []model.StaleAgent{}}
	for _, u := range p.Unmanaged {
		if u.Client == client {
			out.Unmanaged = append(out.Unmanaged, u)
		}
	}
	for _, st := range p.Stale {
		if st.Client == client {
			out.Stale = append(out.Stale, st)
		}
	}
	return out
}

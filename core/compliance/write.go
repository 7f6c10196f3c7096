package compliance

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/tend-sh/tend/core/internal/atomicfile"

	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// Layout renders the reports layout as files by slash-separated path:
// SUMMARY.md, summary.json, and per host hosts/<host>/report.json and, when
// the host has a snapshot, hosts/<host>/inventory.json.
func Layout(reports []model.Report, s *model.FleetSummary, inv map[string]*model.Snapshot) (map[string][]byte, error) {
	files := map[string][]byte{}
	for i := range reports {
		r := &reports[i]
		var buf bytes.Buffer
		if err := render.ReportJSON(&buf, r); err != nil {
			return nil, err
		}
		files[reportsbranch.ReportPath(r.Host)] = buf.Bytes()
		if snap := inv[r.Host]; snap != nil {
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
	return files, nil
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

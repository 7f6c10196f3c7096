package compliance

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/render"
)

// Files of the reports layout (DESIGN.md section 6).
const (
	SummaryMarkdownFile = "SUMMARY.md"
	SummaryJSONFile     = "summary.json"
	ReportFile          = "report.json"
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
		files[path.Join(inventory.HostsDir, r.Host, ReportFile)] = buf.Bytes()
		if snap := inv[r.Host]; snap != nil {
			data, err := inventory.Encode(snap)
			if err != nil {
				return nil, fmt.Errorf("host %s: %w", r.Host, err)
			}
			files[path.Join(inventory.HostsDir, r.Host, inventory.FileName)] = data
		}
	}
	var js, md bytes.Buffer
	if err := render.SummaryJSON(&js, s); err != nil {
		return nil, err
	}
	if err := render.SummaryMarkdown(&md, s, reports); err != nil {
		return nil, err
	}
	files[SummaryJSONFile] = js.Bytes()
	files[SummaryMarkdownFile] = md.Bytes()
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
		if err := writeAtomic(filepath.Join(dir, filepath.FromSlash(n)), files[n]); err != nil {
			return err
		}
	}
	return nil
}

// writeAtomic replaces path with data so that a reader never sees half a
// file, creating the directory if needed.
func writeAtomic(path string, data []byte) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tend-report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

package compliance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

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

// WriteLayout writes the reports layout under dir: SUMMARY.md,
// summary.json, and per host hosts/<host>/report.json and, when the host
// has a snapshot, hosts/<host>/inventory.json. Each file is replaced
// atomically (temporary file, fsync, rename); files of hosts no longer
// reported are left alone.
func WriteLayout(dir string, reports []model.Report, s *model.FleetSummary, inv map[string]*model.Snapshot) error {
	hostsDir := filepath.Join(dir, inventory.HostsDir)
	for i := range reports {
		r := &reports[i]
		var buf bytes.Buffer
		if err := render.ReportJSON(&buf, r); err != nil {
			return err
		}
		if err := writeAtomic(filepath.Join(hostsDir, r.Host, ReportFile), buf.Bytes()); err != nil {
			return err
		}
		if snap := inv[r.Host]; snap != nil {
			if err := inventory.Write(hostsDir, snap); err != nil {
				return fmt.Errorf("host %s: %w", r.Host, err)
			}
		}
	}
	var js, md bytes.Buffer
	if err := render.SummaryJSON(&js, s); err != nil {
		return err
	}
	if err := render.SummaryMarkdown(&md, s, reports); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, SummaryJSONFile), js.Bytes()); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, SummaryMarkdownFile), md.Bytes())
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

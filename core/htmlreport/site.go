package htmlreport

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/compliance"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch/trend"
)

// DefaultStaleAfter is how long since its last scan a host is listed as
// not scanned recently.
const DefaultStaleAfter = 7 * 24 * time.Hour

// Input is what the site is made of.
type Input struct {
	Summary *model.FleetSummary
	Reports []model.Report
	// Clients maps a host to its "client" label.
	Clients map[string]string
	// Groups and Policies map a group's or policy's name to its hosts.
	Groups, Policies map[string][]string
	// History is what the reports branch recorded; nil when there is none.
	History *trend.History
	// StaleAfter is DefaultStaleAfter when zero.
	StaleAfter time.Duration
}

// IndexFile is the site's first page.
const IndexFile = "index.html"

// ClientPage and HostPage are the slash-separated paths of a client's and
// a host's page in the site.
func ClientPage(client string) string { return "clients/" + slug(client) + ".html" }

// HostPage is the path of a host's page.
func HostPage(host string) string { return "hosts/" + slug(host) + ".html" }

// Build renders the site: slash-separated paths to page contents.
func Build(in Input) (map[string][]byte, error) {
	if in.Summary == nil {
		return nil, fmt.Errorf("html report: no summary")
	}
	if in.StaleAfter <= 0 {
		in.StaleAfter = DefaultStaleAfter
	}
	s := newSite(in)
	files := map[string][]byte{}
	render := func(path, tmpl string, data any) error {
		var b bytes.Buffer
		if err := pages.ExecuteTemplate(&b, tmpl, data); err != nil {
			return fmt.Errorf("html report %s: %w", path, err)
		}
		files[path] = b.Bytes()
		return nil
	}
	if err := render(IndexFile, "overview", s.overview()); err != nil {
		return nil, err
	}
	for _, c := range s.clientNames() {
		if err := render(ClientPage(c), "client", s.client(c)); err != nil {
			return nil, err
		}
	}
	for i := range s.reports {
		if err := render(HostPage(s.reports[i].Host), "host", s.host(&s.reports[i])); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// ManifestFile, beside the pages, lists the pages tend wrote there, one
// path a line, so that the next write removes those it no longer makes
// (of a host or client that left the configuration) and nothing else.
const ManifestFile = ".tend-pages"

// Manifest is the ManifestFile listing files' paths.
func Manifest(files map[string][]byte) []byte {
	var b bytes.Buffer
	for _, p := range slices.Sorted(maps.Keys(files)) {
		b.WriteString(p + "\n")
	}
	return b.Bytes()
}

// Stale lists the pages a previous manifest names that files no longer
// holds, sorted; lines that are not a page's path inside the site (an
// absolute path, "..", a file not ending in .html) are ignored, so a
// manifest cannot make tend delete anything else.
func Stale(manifest []byte, files map[string][]byte) []string {
	var out []string
	for _, line := range strings.Split(string(manifest), "\n") {
		p := strings.TrimSpace(line)
		if p == "" || !strings.HasSuffix(p, ".html") || path.Clean(p) != p || !filepath.IsLocal(filepath.FromSlash(p)) || strings.HasPrefix(p, "../") {
			continue
		}
		if _, ok := files[p]; !ok && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Write writes the site's files under dir, creating it; each file is
// replaced atomically (a temporary file renamed over it). Then it
// records the pages in dir's ManifestFile and removes the pages the
// previous manifest listed that the site no longer has; it never removes
// a file it did not write. It returns the paths removed.
func Write(dir string, files map[string][]byte) (removed []string, err error) {
	old, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(p)), files[p]); err != nil {
			return nil, err
		}
	}
	if err := writeFile(filepath.Join(dir, ManifestFile), Manifest(files)); err != nil {
		return nil, err
	}
	for _, p := range Stale(old, files) {
		err := os.Remove(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		if err == nil {
			removed = append(removed, p)
		}
	}
	return removed, nil
}

// writeFile replaces the file name atomically, creating its directory.
func writeFile(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tend-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := cmp.Or(werr, cerr, os.Chmod(tmp.Name(), 0o644)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// site holds the input, indexed.
type site struct {
	in      Input
	reports []model.Report
	byHost  map[string]*model.Report
	now     time.Time
}

func newSite(in Input) *site {
	s := &site{in: in, byHost: map[string]*model.Report{}, now: in.Summary.GeneratedAt}
	s.reports = slices.Clone(in.Reports)
	slices.SortFunc(s.reports, func(a, b model.Report) int { return strings.Compare(a.Host, b.Host) })
	for i := range s.reports {
		s.byHost[s.reports[i].Host] = &s.reports[i]
	}
	return s
}

// clientNames are the summary's clients, sorted ("" last).
func (s *site) clientNames() []string {
	names := slices.Sorted(maps.Keys(s.in.Summary.Clients))
	if len(names) > 0 && names[0] == "" {
		names = append(names[1:], "")
	}
	return names
}

// counts computes the counts of some hosts the way summary.json does.
func (s *site) counts(hosts []string) model.Counts {
	var sub []model.Report
	for _, h := range hosts {
		if r := s.byHost[h]; r != nil {
			sub = append(sub, *r)
		}
	}
	return compliance.Summarize(sub, nil, "", s.now).Counts
}

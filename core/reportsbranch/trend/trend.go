// Package trend reads the compliance history the reports branch holds:
// one point per reconcile commit, from each commit's summary.json, and
// each host's state whenever its report.json changed. It reads Git
// objects only (no checkout) and decodes a host's report only in the
// commits that changed it, so a long branch of a large fleet reads fast.
package trend

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// Point is the fleet's compliance as one reconcile commit recorded it.
type Point struct {
	// At is the summary's generated_at (the commit's time when absent).
	At time.Time
	// Commit is the reports branch commit; ConfigCommit the configuration
	// it reported on.
	Commit, ConfigCommit string
	model.Counts
	// Clients has the counts per "client" label.
	Clients map[string]model.Counts
	// Exposure is the summary's vulnerabilities.exposure; nil for
	// summaries made without feeds (or before tend recorded it).
	Exposure *model.VulnExposure
}

// HostPoint is a host's compliance in a commit that changed its report.
type HostPoint struct {
	At                   time.Time
	Commit, ConfigCommit string
	State                string
	// Missing and Failed count the report's missing and failed items.
	Missing, Failed int
}

// History is what the reports branch recorded, oldest first; Hosts from
// the newest HostCommits commits only.
type History struct {
	Fleet []Point
	Hosts map[string][]HostPoint
}

// MaxCommits bounds how many commits Read walks back from the head.
const MaxCommits = 10000

// HostCommits is how many of the newest commits give hosts' histories:
// every reconcile renews each report's scanned_at, so each commit changes
// every host's report.json, and decoding them all over a long branch of a
// large fleet would take minutes. The fleet's trend covers every commit.
const HostCommits = 100

// Read walks the first-parent history of the commit head of repo, at most
// max commits (MaxCommits when max <= 0), and returns it oldest first.
// Only the commits that change summary.json add a fleet point (not a
// status-only commit, say).
func Read(repo *git.Repository, head plumbing.Hash, max int) (*History, error) {
	if max <= 0 {
		max = MaxCommits
	}
	if s, ok := repo.Storer.(*filesystem.Storage); ok {
		// Keep the packfiles open: go-git otherwise reopens one for every
		// object it reads, which is most of the time a long walk takes.
		st := filesystem.NewStorageWithOptions(s.Filesystem(), cache.NewObjectLRUDefault(), filesystem.Options{KeepDescriptors: true})
		defer st.Close()
		if r, err := git.Open(st, nil); err == nil {
			repo = r
		}
	}
	var chain []*object.Commit
	for h := head; !h.IsZero() && len(chain) < max; {
		c, err := repo.CommitObject(h)
		if err != nil {
			return nil, fmt.Errorf("reports branch history at %s: %w", h, err)
		}
		chain = append(chain, c)
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	slices.Reverse(chain)
	r := reader{repo: repo, hist: &History{Hosts: map[string][]HostPoint{}}, hostReports: map[string]plumbing.Hash{}, hostDirs: map[string]plumbing.Hash{}}
	for i, c := range chain {
		r.hosts = i >= len(chain)-HostCommits
		if err := r.commit(c); err != nil {
			return nil, fmt.Errorf("reports branch commit %s: %w", c.Hash.String()[:12], err)
		}
	}
	return r.hist, nil
}

// reader remembers the previous commit's objects, to skip what is unchanged.
type reader struct {
	repo        *git.Repository
	hist        *History
	summaryHash plumbing.Hash
	hostsHash   plumbing.Hash
	hostDirs    map[string]plumbing.Hash
	hostReports map[string]plumbing.Hash
	// hosts is set when this commit's host reports are read.
	hosts bool
}

// summaryJSON is the part of summary.json a trend needs.
type summaryJSON struct {
	GeneratedAt  time.Time `json:"generated_at"`
	ConfigCommit string    `json:"config_commit"`
	model.Counts
	Clients         map[string]model.Counts `json:"clients"`
	Vulnerabilities *struct {
		Exposure *model.VulnExposure `json:"exposure"`
	} `json:"vulnerabilities"`
}

// reportJSON is the part of report.json a host's history needs.
type reportJSON struct {
	ConfigCommit string `json:"config_commit"`
	State        string `json:"state"`
	Items        []struct {
		State string `json:"state"`
	} `json:"items"`
}

func (r *reader) commit(c *object.Commit) error {
	tree, err := r.repo.TreeObject(c.TreeHash)
	if err != nil {
		return err
	}
	at := c.Committer.When.UTC()
	if e, err := tree.FindEntry(reportsbranch.SummaryJSONFile); err == nil && e.Hash != r.summaryHash {
		var s summaryJSON
		if err := r.decode(e.Hash, &s); err != nil {
			return fmt.Errorf("%s: %w", reportsbranch.SummaryJSONFile, err)
		}
		r.summaryHash = e.Hash
		p := Point{At: at, Commit: c.Hash.String(), ConfigCommit: s.ConfigCommit, Counts: s.Counts, Clients: s.Clients}
		if s.Vulnerabilities != nil {
			p.Exposure = s.Vulnerabilities.Exposure
		}
		if !s.GeneratedAt.IsZero() {
			p.At = s.GeneratedAt.UTC()
		}
		r.hist.Fleet = append(r.hist.Fleet, p)
		at = p.At
	}
	if !r.hosts {
		return nil
	}
	e, err := tree.FindEntry(reportsbranch.HostsDir)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if e.Hash == r.hostsHash {
		return nil
	}
	r.hostsHash = e.Hash
	hosts, err := r.repo.TreeObject(e.Hash)
	if err != nil {
		return err
	}
	for _, he := range hosts.Entries {
		if he.Mode != filemode.Dir || r.hostDirs[he.Name] == he.Hash {
			continue
		}
		r.hostDirs[he.Name] = he.Hash
		dir, err := r.repo.TreeObject(he.Hash)
		if err != nil {
			return err
		}
		re, err := dir.FindEntry(reportsbranch.ReportFile)
		if err != nil || re.Hash == r.hostReports[he.Name] {
			continue // no report (a snapshot only), or the same one
		}
		r.hostReports[he.Name] = re.Hash
		var rep reportJSON
		if err := r.decode(re.Hash, &rep); err != nil {
			return fmt.Errorf("%s: %w", reportsbranch.ReportPath(he.Name), err)
		}
		hp := HostPoint{At: at, Commit: c.Hash.String(), ConfigCommit: rep.ConfigCommit, State: rep.State}
		for _, it := range rep.Items {
			switch it.State {
			case model.ItemMissing:
				hp.Missing++
			case model.ItemFailed:
				hp.Failed++
			}
		}
		r.hist.Hosts[he.Name] = append(r.hist.Hosts[he.Name], hp)
	}
	return nil
}

// decode reads a blob of at most reportsbranch.MaxFile bytes as JSON.
func (r *reader) decode(h plumbing.Hash, v any) error {
	b, err := r.repo.BlobObject(h)
	if err != nil {
		return err
	}
	if b.Size > reportsbranch.MaxFile {
		return fmt.Errorf("%d bytes: %w", b.Size, reportsbranch.ErrTooLarge)
	}
	rd, err := b.Reader()
	if err != nil {
		return err
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

package feedcopy

import (
	"fmt"
	"sync"

	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// branchCopy is one copy of the reports branch and its manifest.
type branchCopy struct {
	name string // for people: "origin/tend/reports"
	tree *reportsbranch.Tree
	m    *Manifest
}

// Copies returns the feed copies on the reports branch in the Git
// repository holding dir, without fetching, read when first asked for:
// at rev when it is given (a plan made from git:REF reads the feeds of the
// same revision), else the newest (by fetched_at) among every copy of
// branch, the local branch and each remote's tracking branch (where git
// fetch leaves what tend serve pushed). A directory outside a Git
// repository, or a branch without feeds/feeds.json, has none.
func Copies(dir, branch, rev string) feeds.Copies {
	return lazy(func() ([]branchCopy, error) { return readCopies(dir, branch, rev) })
}

// TreeCopies returns the feed copies of one tree of the reports branch
// (tend serve's own, whose cache may have lost a feed), named for people
// as name ("reports branch tend/reports").
func TreeCopies(t *reportsbranch.Tree, name string) feeds.Copies {
	return lazy(func() ([]branchCopy, error) {
		m, err := Read(t)
		if err != nil || m == nil {
			return nil, err
		}
		return []branchCopy{{name, t, m}}, nil
	})
}

// lazy reads the copies when first asked for one, and finds each feed's
// newest.
func lazy(read func() ([]branchCopy, error)) feeds.Copies {
	var once sync.Once
	var copies []branchCopy
	var loadErr error
	return func(name string) (*feeds.Copy, error) {
		once.Do(func() { copies, loadErr = read() })
		if loadErr != nil {
			return nil, loadErr
		}
		var best *Entry
		var from branchCopy
		for _, c := range copies {
			if e := c.m.Entry(name); e != nil && (best == nil || e.FetchedAt.After(best.FetchedAt)) {
				best, from = e, c
			}
		}
		if best == nil {
			return nil, nil
		}
		e, where := *best, "reports branch "+from.name
		return &feeds.Copy{URL: e.URL, Date: e.Date, FetchedAt: e.FetchedAt, Where: where,
			Read: func() ([]byte, error) {
				b, ok, err := from.tree.FileMax(e.File, MaxCopy)
				switch {
				case err != nil:
					return nil, err
				case !ok:
					return nil, fmt.Errorf("%s is in %s but not on the branch", e.File, ManifestPath)
				}
				return feeds.ReadCompact(b)
			}}, nil
	}
}

func readCopies(dir, branch, rev string) ([]branchCopy, error) {
	if rev != "" {
		t, err := reportsbranch.At(dir, rev)
		if err != nil {
			return nil, fmt.Errorf("git:%s: %w", rev, err)
		}
		m, err := Read(t)
		if err != nil || m == nil {
			return nil, err
		}
		return []branchCopy{{rev, t, m}}, nil
	}
	copies, err := reportsbranch.Copies(dir, branch)
	if err != nil {
		return nil, err
	}
	var out []branchCopy
	for _, c := range copies {
		m, err := Read(c.Tree)
		if err != nil {
			return nil, fmt.Errorf("reports branch %s: %w", c.Name, err)
		}
		if m != nil {
			out = append(out, branchCopy{c.Name, c.Tree, m})
		}
	}
	return out, nil
}

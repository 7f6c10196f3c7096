package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// legacyEvents reads the applies of a commit made before tend wrote
// results.json from its hosts' report.json: the last_apply results a host's
// report gained over the parent's. Only the host directories whose tree
// hash changed are opened. What the report does not say (the action's
// type, the policy) stays empty; the versions come from the parent
// report's item for the package.
func (w *walker) legacyEvents(c, parent *object.Commit, f Filter) ([]Event, error) {
	hosts, err := w.subtree(c.TreeHash, reportsbranch.HostsDir)
	if err != nil || hosts == nil {
		return nil, err
	}
	before := map[string]plumbing.Hash{}
	if parent != nil {
		old, err := w.subtree(parent.TreeHash, reportsbranch.HostsDir)
		if err != nil {
			return nil, err
		}
		if old != nil && old.Hash == hosts.Hash {
			return nil, nil
		}
		if old != nil {
			for _, e := range old.Entries {
				before[e.Name] = e.Hash
			}
		}
	}
	var out []Event
	for _, e := range hosts.Entries {
		if before[e.Name] == e.Hash {
			continue
		}
		if len(f.Hosts) > 0 && !contains(f.Hosts, e.Name) {
			continue
		}
		cur, err := w.report(e.Hash)
		if err != nil {
			return nil, fmt.Errorf("%s at %s: %w", reportsbranch.ReportPath(e.Name), c.Hash, err)
		}
		if cur == nil || cur.LastApply == nil || (f.Client != "" && cur.Client != f.Client) {
			continue
		}
		var prev *model.Report
		if h, ok := before[e.Name]; ok {
			if prev, err = w.report(h); err != nil {
				return nil, fmt.Errorf("%s at %s: %w", reportsbranch.ReportPath(e.Name), parent.Hash, err)
			}
		}
		la := cur.LastApply
		if !f.Since.IsZero() && la.FinishedAt.Before(f.Since) {
			continue
		}
		seen := map[model.ActionResult]bool{}
		if prev != nil && prev.LastApply != nil && prev.LastApply.StartedAt.Equal(la.StartedAt) {
			for _, x := range prev.LastApply.Results {
				seen[x] = true
			}
		}
		cfgID := cur.ConfigCommit
		if cfgID == "" {
			cfgID = trailer(c.Message, reportsbranch.ConfigCommitTrailer)
		}
		for _, x := range la.Results {
			if seen[x] {
				continue
			}
			a := model.AppliedAction{ActionID: x.ActionID, Status: x.Status, Message: x.Message}
			_, rest, _ := strings.Cut(x.ActionID, "/")
			a.Provider, a.Package, _ = strings.Cut(rest, "/")
			if prev != nil {
				for _, it := range prev.Items {
					if it.Provider == a.Provider && it.Package == a.Package {
						a.From, a.To = it.Installed, it.Required
					}
				}
			}
			out = append(out, Event{At: la.FinishedAt, Host: cur.Host, Client: cur.Client, Provider: a.Provider,
				Package: a.Package, What: What(a), From: a.From, To: a.To, Status: a.Status, Message: a.Message,
				Config: w.config(cfgID), ReportsCommit: c.Hash.String()})
		}
	}
	return out, nil
}

// subtree returns the tree of the entry name of tree root, nil when there
// is none.
func (w *walker) subtree(root plumbing.Hash, name string) (*object.Tree, error) {
	t, err := object.GetTree(w.s, root)
	if err != nil {
		return nil, err
	}
	for _, e := range t.Entries {
		if e.Name == name && !e.Mode.IsFile() {
			return object.GetTree(w.s, e.Hash)
		}
	}
	return nil, nil
}

// report decodes report.json of the host directory tree h; nil when the
// directory has none.
func (w *walker) report(h plumbing.Hash) (*model.Report, error) {
	t, err := object.GetTree(w.s, h)
	if err != nil {
		return nil, err
	}
	for _, e := range t.Entries {
		if e.Name != reportsbranch.ReportFile {
			continue
		}
		blob, err := object.GetBlob(w.s, e.Hash)
		if err != nil {
			return nil, err
		}
		r, err := blob.Reader()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		var rep model.Report
		if err := json.Unmarshal(data, &rep); err != nil {
			return nil, err
		}
		return &rep, nil
	}
	return nil, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

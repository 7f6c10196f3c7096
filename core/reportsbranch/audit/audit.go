package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// Event is one action of an apply, as tend history lists it.
type Event struct {
	// At is when the apply on the host finished.
	At       time.Time `json:"at"`
	Host     string    `json:"host"`
	Client   string    `json:"client,omitempty"`
	Provider string    `json:"provider"`
	Package  string    `json:"package"`
	// What says what happened: installed, upgraded, downgraded, removed,
	// held, unheld, rebooted or changed (the action's type unknown) when
	// it succeeded; failed, interrupted, rolled_back or skipped otherwise.
	What    string       `json:"what"`
	Type    string       `json:"type"`
	From    string       `json:"from"`
	To      string       `json:"to"`
	Status  model.Status `json:"status"`
	Message string       `json:"message"`
	Policy  string       `json:"policy"`
	// Config is the configuration commit the apply ran under.
	Config Commit `json:"config"`
	// ReportsCommit is the reports branch commit that recorded it.
	ReportsCommit string `json:"reports_commit"`
}

// Commit describes a configuration commit; Author and Subject are empty
// when the configuration's repository does not have it.
type Commit struct {
	ID      string    `json:"id"`
	Author  string    `json:"author"`
	When    time.Time `json:"when,omitzero"`
	Subject string    `json:"subject"`
}

// Filter selects events; the zero Filter selects all.
type Filter struct {
	Hosts  []string  // these hosts only, when set
	Client string    // hosts with this client label only, when set
	Since  time.Time // events at or after Since, when set
}

// Walk lists the events the reports branch records from head back, newest
// first, following first parents (tend writes the branch linearly). It stops
// at the first commit older than f.Since. configs, when not nil, is where
// configuration commits are looked up (the configuration's repository).
func Walk(s storer.EncodedObjectStorer, head plumbing.Hash, f Filter, configs storer.EncodedObjectStorer) ([]Event, error) {
	w := &walker{s: s, configs: configs, commits: map[string]Commit{}}
	var out []Event
	c, err := object.GetCommit(s, head)
	if err != nil {
		return nil, fmt.Errorf("reports branch at %s: %w", head, err)
	}
	hash, err := w.resultsHash(c)
	if err != nil {
		return nil, err
	}
	for c != nil {
		if !f.Since.IsZero() && c.Committer.When.Before(f.Since) {
			break
		}
		var parent *object.Commit
		parentHash := plumbing.ZeroHash
		if len(c.ParentHashes) > 0 {
			if parent, err = object.GetCommit(s, c.ParentHashes[0]); err != nil {
				return nil, fmt.Errorf("reports branch commit %s: %w", c.ParentHashes[0], err)
			}
			if parentHash, err = w.resultsHash(parent); err != nil {
				return nil, err
			}
		}
		switch {
		case hash.IsZero(): // made before tend wrote results.json
			evs, err := w.legacyEvents(c, parent, f)
			if err != nil {
				return nil, err
			}
			out = append(out, evs...)
		case hash != parentHash:
			evs, err := w.events(c, hash, f)
			if err != nil {
				return nil, err
			}
			out = append(out, evs...)
		}
		c, hash = parent, parentHash
	}
	slices.SortStableFunc(out, func(a, b Event) int { return b.At.Compare(a.At) })
	return out, nil
}

type walker struct {
	s, configs storer.EncodedObjectStorer
	commits    map[string]Commit
}

// resultsHash is the blob hash of results.json at the root of c's tree,
// zero when there is none. Only the root tree is read.
func (w *walker) resultsHash(c *object.Commit) (plumbing.Hash, error) {
	t, err := object.GetTree(w.s, c.TreeHash)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reports branch commit %s: %w", c.Hash, err)
	}
	for _, e := range t.Entries {
		if e.Name == reportsbranch.ResultsFile {
			return e.Hash, nil
		}
	}
	return plumbing.ZeroHash, nil
}

// events decodes the results.json blob h of commit c into events.
func (w *walker) events(c *object.Commit, h plumbing.Hash, f Filter) ([]Event, error) {
	blob, err := object.GetBlob(w.s, h)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", reportsbranch.ResultsFile, c.Hash, err)
	}
	r, err := blob.Reader()
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", reportsbranch.ResultsFile, c.Hash, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", reportsbranch.ResultsFile, c.Hash, err)
	}
	var res model.Results
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("%s at %s: %w", reportsbranch.ResultsFile, c.Hash, err)
	}
	cfgID := res.ConfigCommit
	if cfgID == "" {
		cfgID = trailer(c.Message, reportsbranch.ConfigCommitTrailer)
	}
	cfg := w.config(cfgID)
	var out []Event
	for _, ha := range res.Applies {
		if len(f.Hosts) > 0 && !slices.Contains(f.Hosts, ha.Host) {
			continue
		}
		if f.Client != "" && ha.Client != f.Client {
			continue
		}
		if !f.Since.IsZero() && ha.FinishedAt.Before(f.Since) {
			continue
		}
		for _, a := range ha.Results {
			out = append(out, Event{At: ha.FinishedAt, Host: ha.Host, Client: ha.Client, Provider: a.Provider,
				Package: a.Package, What: What(a), Type: a.Type, From: a.From, To: a.To, Status: a.Status,
				Message: a.Message, Policy: a.Policy, Config: cfg, ReportsCommit: c.Hash.String()})
		}
	}
	return out, nil
}

// config describes the configuration commit id, looked up once.
func (w *walker) config(id string) Commit {
	if c, ok := w.commits[id]; ok {
		return c
	}
	out := Commit{ID: id}
	if w.configs != nil && plumbing.IsHash(id) {
		if c, err := object.GetCommit(w.configs, plumbing.NewHash(id)); err == nil {
			out.Author = c.Author.Name + " <" + c.Author.Email + ">"
			out.When = c.Author.When
			out.Subject, _, _ = strings.Cut(strings.TrimSpace(c.Message), "\n")
		} else if !errors.Is(err, plumbing.ErrObjectNotFound) {
			out.Subject = "(" + err.Error() + ")"
		}
	}
	w.commits[id] = out
	return out
}

// What names what an applied action did.
func What(a model.AppliedAction) string {
	if a.Status != model.StatusSucceeded {
		return string(a.Status) // failed, interrupted, rolled_back, skipped
	}
	switch a.Type {
	case model.ActionInstall:
		return "installed"
	case model.ActionUpgrade:
		return "upgraded"
	case model.ActionDowngrade:
		return "downgraded"
	case model.ActionRemove:
		return "removed"
	case model.ActionHold:
		return "held"
	case model.ActionUnhold:
		return "unheld"
	case model.ActionReboot:
		return "rebooted"
	}
	return "changed"
}

// trailer returns the value of the last "key: value" line of msg.
func trailer(msg, key string) string {
	val := ""
	for _, line := range strings.Split(msg, "\n") {
		if v, ok := strings.CutPrefix(line, key+": "); ok {
			val = strings.TrimSpace(v)
		}
	}
	return val
}

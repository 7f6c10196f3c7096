package audit_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/audit"
)

var t0 = time.Date(2026, 11, 1, 22, 0, 0, 0, time.UTC)

// configCommit commits one file to the repository's main branch as a
// configuration author would, and returns its id.
func configCommit(t testing.TB, repo *git.Repository, subject string) string {
	t.Helper()
	obj := repo.Storer.NewEncodedObject()
	c := &object.Commit{Author: object.Signature{Name: "Jane Admin", Email: "jane@example.com", When: t0},
		Committer: object.Signature{Name: "Jane Admin", Email: "jane@example.com", When: t0},
		Message:   subject + "\n\nbody\n", TreeHash: plumbing.ZeroHash}
	tree := &object.Tree{}
	tobj := repo.Storer.NewEncodedObject()
	if err := tree.Encode(tobj); err != nil {
		t.Fatal(err)
	}
	th, err := repo.Storer.SetEncodedObject(tobj)
	if err != nil {
		t.Fatal(err)
	}
	c.TreeHash = th
	if err := c.Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := repo.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	return h.String()
}

// step is one commit on the generated reports branch.
type step struct {
	at      time.Time
	applies []model.HostApply // nil: the commit records no new apply
	files   map[string]string // other files it changes
}

// writeBranch commits steps onto tend/reports, the way tend serve does:
// results.json only when there are new applies.
func writeBranch(t testing.TB, dir, cfg string, steps []step) plumbing.Hash {
	t.Helper()
	var head plumbing.Hash
	for i, s := range steps {
		files := reportsbranch.Files{"summary.json": fmt.Appendf(nil, `{"n": %d}`, i)}
		for p, c := range s.files {
			files[p] = []byte(c)
		}
		if s.applies != nil {
			b, err := json.Marshal(model.Results{FormatVersion: "1", ConfigCommit: cfg, GeneratedAt: s.at, Applies: s.applies})
			if err != nil {
				t.Fatal(err)
			}
			files[reportsbranch.ResultsFile] = b
		}
		msg, tr := reportsbranch.Message(cfg, 1, 0, 0)
		h, _, err := reportsbranch.Write(dir, "tend/reports", files, reportsbranch.Commit{Message: msg, Trailers: tr,
			Author: object.Signature{Name: "tend", Email: "tend@localhost", When: s.at}})
		if err != nil {
			t.Fatal(err)
		}
		head = h
	}
	return head
}

func apply(host, client string, at time.Time, results ...model.AppliedAction) model.HostApply {
	return model.HostApply{Host: host, Client: client, StartedAt: at.Add(-time.Minute), FinishedAt: at, Results: results}
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	cfg := configCommit(t, repo, "acme: approve the November cumulative update")
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	upgrade := model.AppliedAction{ActionID: "web_1/apt/openssl", Provider: "apt", Package: "openssl", Type: "upgrade",
		From: "3.0.11-1", To: "3.0.11-2", Policy: "linux_security", Status: model.StatusSucceeded}
	kb := model.AppliedAction{ActionID: "dc01/windowsupdate/KB5092641", Provider: "windowsupdate", Package: "KB5092641",
		Type: "install", To: "KB5092641", Policy: "acme_windows", Status: model.StatusFailed, Message: "0x80240022 WU_E_ALL_UPDATES_FAILED"}
	reboot := model.AppliedAction{ActionID: "dc01/windowsupdate/(reboot)", Provider: "windowsupdate", Package: "(reboot)",
		Type: "reboot", Policy: "acme_windows", Status: model.StatusSucceeded}
	rolled := model.AppliedAction{ActionID: "db_1/apt/nginx", Provider: "apt", Package: "nginx", Type: "downgrade",
		From: "1.22.1-9+deb12u1", To: "1.22.1-9", Policy: "linux_pins", Status: model.StatusRolledBack, Message: "health check failed"}
	head := writeBranch(t, dir, cfg, []step{
		{at: day(0)}, // no results.json yet
		{at: day(1), applies: []model.HostApply{apply("web_1", "", day(1), upgrade)}},
		{at: day(2), files: map[string]string{"hosts/web_1/report.json": "{}"}}, // results.json unchanged
		{at: day(10), applies: []model.HostApply{apply("dc01", "acme", day(10), kb, reboot)}},
		{at: day(20), applies: []model.HostApply{apply("db_1", "globex", day(20), rolled)}},
	})
	cfgInfo := audit.Commit{ID: cfg, Author: "Jane Admin <jane@example.com>", When: t0, Subject: "acme: approve the November cumulative update"}
	ev := func(at time.Time, host, client, what string, a model.AppliedAction) audit.Event {
		return audit.Event{At: at, Host: host, Client: client, Provider: a.Provider, Package: a.Package, What: what,
			Type: a.Type, From: a.From, To: a.To, Status: a.Status, Message: a.Message, Policy: a.Policy, Config: cfgInfo}
	}
	all := []audit.Event{
		ev(day(20), "db_1", "globex", "rolled_back", rolled),
		ev(day(10), "dc01", "acme", "failed", kb),
		ev(day(10), "dc01", "acme", "rebooted", reboot),
		ev(day(1), "web_1", "", "upgraded", upgrade),
	}
	tests := []struct {
		name string
		f    audit.Filter
		want []audit.Event
	}{
		{"all", audit.Filter{}, all},
		{"hosts", audit.Filter{Hosts: []string{"web_1", "db_1"}}, []audit.Event{all[0], all[3]}},
		{"client", audit.Filter{Client: "acme"}, all[1:3]},
		{"since", audit.Filter{Since: day(5)}, all[:3]},
		{"since and host", audit.Filter{Since: day(5), Hosts: []string{"web_1"}}, nil},
		{"unknown client", audit.Filter{Client: "initech"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := audit.Walk(repo.Storer, head, tt.f, repo.Storer)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				got[i].ReportsCommit = "" // checked below
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
	// Each event names the reports commit that recorded it; without the
	// configuration's repository, the config commit is its id alone.
	got, err := audit.Walk(repo.Storer, head, audit.Filter{Hosts: []string{"db_1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ReportsCommit != head.String() || got[0].Config != (audit.Commit{ID: cfg}) {
		t.Errorf("db_1 event = %+v, want reports commit %s and config %s alone", got, head, cfg)
	}
}

func TestWhat(t *testing.T) {
	for _, tt := range []struct {
		typ    string
		status model.Status
		want   string
	}{
		{"install", model.StatusSucceeded, "installed"},
		{"upgrade", model.StatusSucceeded, "upgraded"},
		{"downgrade", model.StatusSucceeded, "downgraded"},
		{"remove", model.StatusSucceeded, "removed"},
		{"hold", model.StatusSucceeded, "held"},
		{"unhold", model.StatusSucceeded, "unheld"},
		{"reboot", model.StatusSucceeded, "rebooted"},
		{"", model.StatusSucceeded, "changed"},
		{"upgrade", model.StatusFailed, "failed"},
		{"upgrade", model.StatusInterrupted, "interrupted"},
		{"downgrade", model.StatusRolledBack, "rolled_back"},
		{"install", model.StatusSkipped, "skipped"},
	} {
		if got := audit.What(model.AppliedAction{Type: tt.typ, Status: tt.status}); got != tt.want {
			t.Errorf("What(%s, %s) = %q, want %q", tt.typ, tt.status, got, tt.want)
		}
	}
}

func jsonResults(at time.Time, applies []model.HostApply) ([]byte, error) {
	return json.Marshal(model.Results{FormatVersion: "1", ConfigCommit: "9f2c1ab000000000000000000000000000000000", GeneratedAt: at, Applies: applies})
}

func signatureAt(at time.Time) object.Signature {
	return object.Signature{Name: "tend", Email: "tend@localhost", When: at}
}

// TestWalkLegacy: commits made before tend wrote results.json are read from
// the last_apply of the host reports they changed.
func TestWalkLegacy(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	cfg := configCommit(t, repo, "old config")
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	report := func(r model.Report) string {
		r.FormatVersion, r.ConfigCommit = "1", cfg
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	missing := model.Report{Host: "web_1", Client: "acme", Items: []model.Item{
		{Provider: "apt", Package: "openssl", Installed: "1", Required: "2", State: model.ItemMissing}}}
	applied := model.Report{Host: "web_1", Client: "acme", LastApply: &model.LastApply{StartedAt: day(1), FinishedAt: day(1),
		Results: []model.ActionResult{{ActionID: "web_1/apt/openssl", Status: model.StatusSucceeded}}}}
	head := writeBranch(t, dir, cfg, []step{
		{at: day(0), files: map[string]string{"hosts/web_1/report.json": report(missing), "hosts/db_1/report.json": report(model.Report{Host: "db_1"})}},
		{at: day(1), files: map[string]string{"hosts/web_1/report.json": report(applied)}},
		{at: day(2), files: map[string]string{"hosts/db_1/report.json": report(model.Report{Host: "db_1", Items: []model.Item{}})}},
	})
	got, err := audit.Walk(repo.Storer, head, audit.Filter{}, repo.Storer)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i].ReportsCommit = ""
	}
	want := []audit.Event{{At: day(1), Host: "web_1", Client: "acme", Provider: "apt", Package: "openssl", What: "changed",
		From: "1", To: "2", Status: model.StatusSucceeded,
		Config: audit.Commit{ID: cfg, Author: "Jane Admin <jane@example.com>", When: t0, Subject: "old config"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if got, err := audit.Walk(repo.Storer, head, audit.Filter{Client: "globex"}, nil); err != nil || len(got) != 0 {
		t.Errorf("client globex: %v, %v", got, err)
	}
}

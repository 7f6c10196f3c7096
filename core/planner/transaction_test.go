package planner

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

// resolvedAt is when the test transactions were resolved.
var resolvedAt = time.Date(2026, 11, 23, 6, 1, 0, 0, time.UTC)

// txnPolicy approves app and holds back liba (per the case's rule); attrs
// are more policy attributes.
func txnPolicy(rule, attrs string) string {
	return oneHost + `
policy "linux_security" {
  provider = "apt"
  targets  = [host.web_1]
  approve { packages = ["app", "tool"] }
  ` + rule + `
  ` + attrs + `
}
`
}

func upgrade(pkg, from, to string, by ...string) model.Change {
	return model.Change{Package: pkg, Kind: model.ChangeUpgrade, From: from, To: to, RequiredBy: by}
}

func TestCheckHost(t *testing.T) {
	app := upgrade("app", "1.0", "2.0")
	cases := []struct {
		name, rule, attrs string
		changes           []model.Change
		want              []string
		status            string
		extra             []model.Change
	}{{
		name:    "only the planned package",
		changes: []model.Change{app},
		status:  model.TransactionResolved,
		want:    []string{"upgrade app 1.0->2.0: approve[0]: packages=app,tool", "reboot: none"},
	}, {
		name:    "a dependency nobody holds back is listed",
		changes: []model.Change{app, upgrade("liba", "1.0", "2.0", "app"), {Package: "libnew", Kind: model.ChangeInstall, To: "1.1", RequiredBy: []string{"app"}}},
		status:  model.TransactionResolved,
		extra:   []model.Change{upgrade("liba", "1.0", "2.0", "app"), {Package: "libnew", Kind: model.ChangeInstall, To: "1.1", RequiredBy: []string{"app"}}},
		want:    []string{"upgrade app 1.0->2.0: approve[0]: packages=app,tool", "reboot: none"},
	}, {
		name:    "a rejected dependency blocks the host",
		rule:    `reject = ["liba"]`,
		changes: []model.Change{upgrade("liba", "1.0", "2.0", "app"), app},
		status:  model.TransactionBlocked,
		extra:   []model.Change{upgrade("liba", "1.0", "2.0", "app")},
		want: []string{
			`skipped app 2.0: transaction blocked: app 2.0 needs liba 1.0 → 2.0, which policy linux_security rejects (reject "liba")`,
			`skipped liba : installed version 1.0 matches reject "liba"`,
			`error: transaction blocked: app 2.0 needs liba 1.0 → 2.0, which policy linux_security rejects (reject "liba")`,
			"reboot: none",
		},
	}, {
		name:    "a rejected version of a dependency blocks, another does not",
		rule:    `reject = ["liba=3.*"]`,
		changes: []model.Change{app, upgrade("liba", "1.0", "2.0", "app")},
		status:  model.TransactionResolved,
		extra:   []model.Change{upgrade("liba", "1.0", "2.0", "app")},
		want:    []string{"upgrade app 1.0->2.0: approve[0]: packages=app,tool", "reboot: none"},
	}, {
		name:    "dependencies = allow lets a rejected dependency through",
		rule:    `reject = ["liba"]`,
		attrs:   `dependencies = "allow"`,
		changes: []model.Change{app, upgrade("liba", "1.0", "2.0", "app")},
		status:  model.TransactionResolved,
		extra:   []model.Change{upgrade("liba", "1.0", "2.0", "app")},
		want:    []string{"upgrade app 1.0->2.0: approve[0]: packages=app,tool", `skipped liba : installed version 1.0 matches reject "liba"`, "reboot: none"},
	}, {
		name: "an excluded dependency blocks",
		rule: `exclude {
    packages = ["lib*"]
    until    = "2027-01-31"
    reason   = "vendor"
  }`,
		changes: []model.Change{app, upgrade("liba", "1.0", "2.0", "app")},
		status:  model.TransactionBlocked,
		extra:   []model.Change{upgrade("liba", "1.0", "2.0", "app")},
		want: []string{
			`skipped app 2.0: transaction blocked: app 2.0 needs liba 1.0 → 2.0, which policy linux_security excludes (excluded until 2027-01-31: vendor)`,
			`error: transaction blocked: app 2.0 needs liba 1.0 → 2.0, which policy linux_security excludes (excluded until 2027-01-31: vendor)`,
			"reboot: none",
		},
	}, {
		name:    "a dependency pinned elsewhere blocks",
		rule:    `pin = { liba = "1.0" }`,
		changes: []model.Change{app, upgrade("liba", "1.0", "2.0", "app")},
		status:  model.TransactionBlocked,
		extra:   []model.Change{upgrade("liba", "1.0", "2.0", "app")},
		want: []string{
			`skipped app 2.0: transaction blocked: app 2.0 needs liba 1.0 → 2.0, which policy linux_security pins to 1.0 (pin liba = 1.0)`,
			`error: transaction blocked: app 2.0 needs liba 1.0 → 2.0, which policy linux_security pins to 1.0 (pin liba = 1.0)`,
			"reboot: none",
		},
	}, {
		name:    "a removal blocks by default",
		changes: []model.Change{app, {Package: "oldlib", Kind: model.ChangeRemove, From: "0.9", RequiredBy: []string{"app"}}},
		status:  model.TransactionBlocked,
		extra:   []model.Change{{Package: "oldlib", Kind: model.ChangeRemove, From: "0.9", RequiredBy: []string{"app"}}},
		want: []string{
			`skipped app 2.0: transaction blocked: app 2.0 removes oldlib 0.9, and policy linux_security blocks removals (removals = "block")`,
			`error: transaction blocked: app 2.0 removes oldlib 0.9, and policy linux_security blocks removals (removals = "block")`,
			"reboot: none",
		},
	}, {
		name:    "removals = allow lets it, even with dependencies = allow absent",
		attrs:   `removals = "allow"`,
		changes: []model.Change{app, {Package: "oldlib", Kind: model.ChangeRemove, From: "0.9"}},
		status:  model.TransactionResolved,
		extra:   []model.Change{{Package: "oldlib", Kind: model.ChangeRemove, From: "0.9"}},
		want:    []string{"upgrade app 1.0->2.0: approve[0]: packages=app,tool", "reboot: none"},
	}, {
		name:    "a planned package resolved to another version blocks",
		changes: []model.Change{upgrade("app", "1.0", "2.1")},
		status:  model.TransactionBlocked,
		want: []string{
			`skipped app 2.0: transaction blocked: the package manager would change app 1.0 → 2.1, not app 1.0 → 2.0 as planned`,
			`error: transaction blocked: the package manager would change app 1.0 → 2.1, not app 1.0 → 2.0 as planned`,
			"reboot: none",
		},
	}, {
		name:    "a planned package left out blocks",
		changes: []model.Change{},
		status:  model.TransactionBlocked,
		want: []string{
			`skipped app 2.0: transaction blocked: the package manager's transaction leaves out the planned app 1.0 → 2.0`,
			`error: transaction blocked: the package manager's transaction leaves out the planned app 1.0 → 2.0`,
			"reboot: none",
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := loadConfig(t, txnPolicy(tc.rule, tc.attrs))
			pl, _ := Plan(Input{Config: cfg, Now: scannedAt,
				Inventory: map[string]*model.Snapshot{"web_1": snap("web_1", []string{"app=1.0", "liba=1.0"}, other("app", "1.0", "2.0"))}})
			res := map[HostKey]Resolved{{"web_1", "apt"}: {Source: model.ResolvedLive, Resolution: &model.Resolution{
				ResolvedAt: resolvedAt, Actions: model.ProviderActions(pl.Hosts[0].Actions), Changes: tc.changes}}}
			CheckTransactions(cfg, pl, res)
			hp := host(t, pl, "web_1")
			if diff := cmp.Diff(tc.want, lines(hp)); diff != "" {
				t.Errorf("host plan (-want +got):\n%s", diff)
			}
			tx := hp.Transaction
			if tx == nil || tx.Status != tc.status || tx.Source != model.ResolvedLive || !tx.ResolvedAt.Equal(resolvedAt) {
				t.Fatalf("transaction = %+v, want status %s, live, at %s", tx, tc.status, resolvedAt)
			}
			if diff := cmp.Diff(tc.extra, tx.Extra); diff != "" {
				t.Errorf("extra (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.changes, tx.Changes); len(tc.changes) > 0 && diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if blocked := tc.status == model.TransactionBlocked; pl.HasChanges() == blocked {
				t.Errorf("plan has changes = %v with status %s", pl.HasChanges(), tc.status)
			}
		})
	}
}

func TestCheckHostWithoutResolution(t *testing.T) {
	cfg := loadConfig(t, txnPolicy("", ""))
	inv := map[string]*model.Snapshot{"web_1": snap("web_1", []string{"app=1.0", "tool=1"}, other("app", "1.0", "2.0"))}
	plan := func() *model.Plan {
		pl, _ := Plan(Input{Config: cfg, Now: scannedAt, Inventory: inv})
		return pl
	}
	other := &model.Resolution{ResolvedAt: resolvedAt, Actions: []model.ProviderAction{{Type: "upgrade", Package: "tool", To: "2"}}}
	cases := map[string]struct {
		r    Resolved
		want model.Transaction
		acts int
	}{
		"nothing recorded": {Resolved{}, model.Transaction{Status: model.TransactionUnresolved,
			Reason: "dependencies not resolved: the inventory records no resolution (tend scan records one)"}, 1},
		"recorded for other updates": {Resolved{Resolution: other, Source: model.ResolvedRecorded}, model.Transaction{
			Status: model.TransactionUnresolved, Source: model.ResolvedRecorded, ResolvedAt: &resolvedAt,
			Reason: "dependencies not resolved since 2026-11-23T06:01:00Z: the recorded resolution is for other updates"}, 1},
		"provider does not resolve": {Resolved{Unsupported: true, Source: model.ResolvedLive}, model.Transaction{
			Status: model.TransactionUnsupported, Reason: "provider apt does not resolve transactions: dependencies are not checked"}, 1},
		"resolving failed": {Resolved{Failure: "apt-get: broken packages", Source: model.ResolvedLive}, model.Transaction{
			Status: model.TransactionBlocked, Source: model.ResolvedLive, Reason: "the transaction could not be resolved: apt-get: broken packages"}, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			pl := plan()
			CheckTransactions(cfg, pl, map[HostKey]Resolved{{"web_1", "apt"}: tc.r})
			hp := host(t, pl, "web_1")
			if diff := cmp.Diff(&tc.want, hp.Transaction); diff != "" {
				t.Errorf("transaction (-want +got):\n%s", diff)
			}
			if len(hp.Actions) != tc.acts {
				t.Errorf("actions = %+v, want %d", hp.Actions, tc.acts)
			}
		})
	}
}

func TestRecordedResolutions(t *testing.T) {
	r := &model.Resolution{ResolvedAt: resolvedAt}
	s := snap("web_1", nil)
	s.Providers["apt"].Resolution = r
	got := Recorded(map[string]*model.Snapshot{"web_1": s, "web_2": snap("web_2", nil), "web_3": nil})
	want := map[HostKey]Resolved{{"web_1", "apt"}: {Resolution: r, Source: model.ResolvedRecorded}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
}

func TestCheckHostLeavesHostsWithoutPackageActions(t *testing.T) {
	cfg := loadConfig(t, txnPolicy("", ""))
	pl, _ := Plan(Input{Config: cfg, Now: scannedAt, Inventory: map[string]*model.Snapshot{"web_1": snap("web_1", []string{"app=1.0"})}})
	CheckTransactions(cfg, pl, nil)
	if tx := host(t, pl, "web_1").Transaction; tx != nil {
		t.Errorf("transaction of a host with nothing to do = %+v", tx)
	}
}

package compliance

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

// TestNamedItems runs the real planner over pins and approve blocks that
// name packages, so installed, installed_other and not_applicable come from
// what the planner recorded.
func TestNamedItems(t *testing.T) {
	const src = `
host "a" {
  transport = "local"
}
policy "p" {
  provider = "apt"
  targets  = [host.a]
  approve {
    packages = ["openssl", "openssh-*", "absent"]
  }
  pin = { nginx = "1.22.1-9", curl = "7.88", gone = "1.0" }
}
`
	inv := map[string]*model.Snapshot{"a": {FormatVersion: "1", Host: "a", ScannedAt: scanned,
		Providers: map[string]*model.ProviderInventory{"apt": {
			Installed: []model.Installed{
				{ID: "curl", Name: "curl", Version: "7.89"},
				{ID: "nginx", Name: "nginx", Version: "1.22.1-9"},
				{ID: "openssh-client", Name: "openssh-client", Version: "9.2"},
				{ID: "openssh-server", Name: "openssh-server", Version: "9.2"},
				{ID: "openssl", Name: "openssl", Version: "3.0.2"},
				{ID: "zlib1g", Name: "zlib1g", Version: "1.2"},
			},
			Available: []model.Update{
				{ID: "nginx", Name: "nginx", From: "1.22.1-9", To: "1.24"},
				{ID: "openssh-client", Name: "openssh-client", From: "9.2", To: "9.3", CVEs: []string{"CVE-9"}},
				{ID: "zlib1g", Name: "zlib1g", From: "1.2", To: "1.3"},
			},
			Versions: map[string][]string{"curl": {"7.89"}},
		}}}}
	cfg, diags := config.LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pl, _ := planner.Plan(planner.Input{Config: cfg, Inventory: inv, Now: now})
	reports, _ := Evaluate(Input{Plan: pl, Inventory: inv, Now: now})
	unoffered := `pin curl = "7.88": the host's sources do not offer that version (they offer 7.89)`
	want := []model.Item{
		{Provider: "apt", Package: "absent", State: model.ItemNotApplicable, CVEs: []string{},
			Detail: "the host does not have it and no update offers it (approve[0]: packages=openssl,openssh-*,absent)"},
		{Provider: "apt", Package: "curl", Installed: "7.89", Required: "7.88", State: model.ItemInstalledOther, CVEs: []string{},
			Detail: unoffered},
		{Provider: "apt", Package: "gone", Required: "1.0", State: model.ItemNotApplicable, CVEs: []string{},
			Detail: "the host does not have it and no update offers it (pin gone = 1.0)"},
		// Pinned and at the pin: installed, though a newer version is offered.
		{Provider: "apt", Package: "nginx", Installed: "1.22.1-9", Required: "1.22.1-9", State: model.ItemInstalled, CVEs: []string{}},
		{Provider: "apt", Package: "openssh-client", Installed: "9.2", Required: "9.3", State: model.ItemMissing, CVEs: []string{"CVE-9"}},
		{Provider: "apt", Package: "openssh-server", Installed: "9.2", Required: "9.2", State: model.ItemInstalled, CVEs: []string{}},
		{Provider: "apt", Package: "openssl", Installed: "3.0.2", Required: "3.0.2", State: model.ItemInstalled, CVEs: []string{}},
		{Provider: "apt", Package: "zlib1g", Installed: "1.2", State: model.ItemInstalledOther, CVEs: []string{},
			Detail: "1.3 available: not approved by any approve block"},
	}
	if len(reports) != 1 {
		t.Fatalf("reports: %+v", reports)
	}
	r := reports[0]
	if diff := cmp.Diff(want, r.Items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if r.State != model.HostNonCompliant {
		t.Errorf("state = %q, want non_compliant (missing openssh-client)", r.State)
	}
	if diff := cmp.Diff([]string{unoffered}, r.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// A plan error (here a pin the sources do not offer) keeps a host that has
// no other item from looking compliant; a host without inventory stays
// unknown.
func TestPlanErrorsAreNotCompliant(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*model.HostPlan)
		want string
	}{
		{"error with inventory", func(hp *model.HostPlan) { hp.Errors = []string{"pin x"} }, model.HostNonCompliant},
		{"no inventory", func(hp *model.HostPlan) { hp.Provider, hp.Errors = "winget", []string{"no winget inventory"} }, model.HostUnknown},
		{"no error", nil, model.HostCompliant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reports, _ := Evaluate(Input{Plan: hostPlan(tt.mod), Inventory: snapshot(false), Now: now})
			if reports[0].State != tt.want {
				t.Errorf("state = %q, want %q", reports[0].State, tt.want)
			}
		})
	}
}

// TestInstalledAt: when tend installed a package comes from the last
// apply's succeeded actions and from the previous report, while the package
// stays at the version it dated.
func TestInstalledAt(t *testing.T) {
	applied := time.Date(2026, 11, 20, 22, 4, 0, 0, time.UTC)
	earlier := time.Date(2026, 10, 1, 3, 0, 0, 0, time.UTC)
	later := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	named := func(hp *model.HostPlan) {
		hp.Named = []model.NamedPackage{{Package: "openssl", Installed: "3.0.1", Reason: "approve[0]: packages=openssl"}}
	}
	last := func(status model.Status, ids ...string) *model.LastApply {
		la := &model.LastApply{StartedAt: applied.Add(-time.Minute), FinishedAt: applied}
		for _, id := range ids {
			la.Results = append(la.Results, model.ActionResult{ActionID: id, Status: status})
		}
		return la
	}
	prev := func(pkg, version string, at time.Time) *model.Report {
		return &model.Report{Host: "web_1", Items: []model.Item{{Provider: "apt", Package: pkg, Installed: version, InstalledAt: &at}}}
	}
	installed := func(pkg, version string, at *time.Time) model.Item {
		return model.Item{Provider: "apt", Package: pkg, Installed: version, Required: version, State: model.ItemInstalled,
			CVEs: []string{}, InstalledAt: at}
	}
	tests := []struct {
		name string
		mod  func(*model.HostPlan)
		last *model.LastApply
		prev *model.Report
		want []model.Item
	}{
		{"named package tend upgraded", named, last(model.StatusSucceeded, "web_1/apt/openssl"), nil,
			[]model.Item{installed("openssl", "3.0.1", &applied)}},
		{"unnamed package tend upgraded is listed", nil, last(model.StatusSucceeded, "web_1/apt/nginx"), nil,
			[]model.Item{installed("nginx", "1.22", &applied)}},
		{"failed action dates nothing", named, last(model.StatusFailed, "web_1/apt/openssl"), nil,
			[]model.Item{installed("openssl", "3.0.1", nil)}},
		{"reboot action and other hosts' ids date nothing", nil, last(model.StatusSucceeded, "web_1/apt/reboot", "db_1/apt/nginx"), nil,
			[]model.Item{}},
		{"package removed since: no item", nil, last(model.StatusSucceeded, "web_1/apt/curl"), nil, []model.Item{}},
		{"carried over at the same version", named, nil, prev("openssl", "3.0.1", earlier),
			[]model.Item{installed("openssl", "3.0.1", &earlier)}},
		{"carried over for an unnamed package", nil, nil, prev("nginx", "1.22", earlier),
			[]model.Item{installed("nginx", "1.22", &earlier)}},
		{"not carried once the version changed", named, nil, prev("openssl", "3.0.0", earlier),
			[]model.Item{installed("openssl", "3.0.1", nil)}},
		{"a later apply wins over the carried date", named, last(model.StatusSucceeded, "web_1/apt/openssl"), prev("openssl", "3.0.1", earlier),
			[]model.Item{installed("openssl", "3.0.1", &applied)}},
		{"a later carried date wins over the apply", named, last(model.StatusSucceeded, "web_1/apt/openssl"), prev("openssl", "3.0.1", later),
			[]model.Item{installed("openssl", "3.0.1", &later)}},
		{"missing item keeps the date of the version installed", func(hp *model.HostPlan) { hp.Actions = []model.Action{opensslAction} },
			last(model.StatusSucceeded, "web_1/apt/openssl"), nil,
			[]model.Item{func() model.Item { it := opensslMissing; it.InstalledAt = &applied; return it }()}},
		{"failed item gets no date", func(hp *model.HostPlan) { hp.Actions = []model.Action{opensslAction} },
			last(model.StatusFailed, "web_1/apt/openssl"), prev("openssl", "3.0.1", earlier),
			[]model.Item{func() model.Item { it := opensslMissing; it.State = model.ItemFailed; return it }()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Plan: hostPlan(tt.mod), Inventory: snapshot(false), Now: now,
				LastApply: map[string]*model.LastApply{"web_1": tt.last}, Previous: map[string]*model.Report{"web_1": tt.prev}}
			reports, _ := Evaluate(in)
			if diff := cmp.Diff(tt.want, reports[0].Items); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRecentlyInstalled checks the window's edges: 30 days up to the
// report's time, both ends included; newest first.
func TestRecentlyInstalled(t *testing.T) {
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	item := func(pkg string, when *time.Time) model.Item {
		return model.Item{Provider: "apt", Package: pkg, Installed: "1", State: model.ItemInstalled, InstalledAt: when}
	}
	reports := []model.Report{
		{Host: "b", State: model.HostCompliant, Items: []model.Item{
			item("edge", at(-model.RecentWindow)),
			item("too-old", at(-model.RecentWindow-time.Second)),
			item("now", at(0)),
			item("future", at(time.Second)),
			item("undated", nil),
		}},
		{Host: "a", State: model.HostCompliant, Items: []model.Item{item("now", at(0)), item("week", at(-7*24*time.Hour))}},
	}
	s := Summarize(reports, nil, "", now)
	want := []model.RecentInstall{
		{Host: "a", Provider: "apt", Package: "now", Version: "1", InstalledAt: now},
		{Host: "b", Provider: "apt", Package: "now", Version: "1", InstalledAt: now},
		{Host: "a", Provider: "apt", Package: "week", Version: "1", InstalledAt: *at(-7 * 24 * time.Hour)},
		{Host: "b", Provider: "apt", Package: "edge", Version: "1", InstalledAt: *at(-model.RecentWindow)},
	}
	if diff := cmp.Diff(want, s.RecentlyInstalled); diff != "" {
		t.Errorf("recently installed (-want +got):\n%s", diff)
	}
}

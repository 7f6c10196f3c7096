package calendar

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

const conf = `
host "web_1" {
  transport = "local"
  labels    = { client = "acme" }
}
host "lab" {
  transport = "local"
}
window "saturday" {
  schedule = "0 22 * * SAT"
  duration = "6h"
  cutoff   = "1h"
  timezone = "Europe/Berlin"
}
window "after_patch_tuesday" {
  patch_tuesday_offset = "2d"
  start    = "22:00"
  duration = "4h"
}
policy "web" {
  provider = "apt"
  targets  = [host.web_1]
  window   = window.saturday
  approve {}
}
policy "lab" {
  provider = "apt"
  targets  = [host.lab]
  window   = window.after_patch_tuesday
  approve {}
}
`

// TestBuild: openings per client in time order (an opening in progress at
// From first, hosts without a client last), each with the actions of the
// plan at its start for its hosts and policies.
func TestBuild(t *testing.T) {
	cfg, diags := config.LoadSources("c", map[string][]byte{"c/main.tend.hcl": []byte(conf)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	// Saturday 2026-12-05 23:00 Berlin: the saturday window is open.
	from := time.Date(2026, 12, 5, 22, 0, 0, 0, time.UTC)
	var asked []time.Time
	plan := func(at time.Time) (*model.Plan, error) {
		asked = append(asked, at)
		return &model.Plan{Hosts: []model.HostPlan{
			{Host: "web_1", Provider: "apt", Policy: "web", Actions: []model.Action{{Type: "upgrade", Package: "openssl", From: "1", To: "2"}}},
			{Host: "lab", Provider: "apt", Policy: "lab", Actions: []model.Action{{Type: "reboot"}}},
		}}, nil
	}
	cal, err := Build(cfg, plan, Options{From: from, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cal.Clients {
		for _, op := range c.Openings {
			got = append(got, c.Name+" "+op.Window+" "+op.Start.UTC().Format(time.RFC3339)+" "+op.End.UTC().Format(time.RFC3339)+
				" "+strings.Join(op.Hosts, ",")+" "+strings.Join(hostLines(op.Expected), ";"))
		}
	}
	want := []string{
		"acme saturday 2026-12-05T21:00:00Z 2026-12-06T03:00:00Z web_1 web_1 (apt): 1 change: openssl",
		"acme saturday 2026-12-12T21:00:00Z 2026-12-13T03:00:00Z web_1 web_1 (apt): 1 change: openssl",
		" after_patch_tuesday 2026-12-10T22:00:00Z 2026-12-11T02:00:00Z lab lab (apt): a reboot",
		" after_patch_tuesday 2027-01-14T22:00:00Z 2027-01-15T02:00:00Z lab lab (apt): a reboot",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("openings (-want +got):\n%s", diff)
	}
	if len(asked) != 4 {
		t.Errorf("planned %d times, want once per opening", len(asked))
	}

	cal, _ = Build(cfg, plan, Options{From: from, Count: 1, Client: "acme"})
	if len(cal.Clients) != 1 || cal.Clients[0].Name != "acme" || len(cal.Clients[0].Openings) != 1 {
		t.Errorf("--client acme: %+v", cal.Clients)
	}
}

// TestFreezes: a freeze covering one client's host is that client's own
// entry (not the other client's), and an opening whose plan says the
// freeze holds its host is held, with nothing expected.
func TestFreezes(t *testing.T) {
	src := conf + `
freeze "acme_close" {
  from    = "2026-12-12"
  until   = "2026-12-13"
  reason  = "acme closes its books"
  targets = [host.web_1]
}
`
	cfg, diags := config.LoadSources("c", map[string][]byte{"c/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	from := time.Date(2026, 12, 5, 22, 0, 0, 0, time.UTC)
	plan := func(at time.Time) (*model.Plan, error) {
		f := cfg.Freezes["acme_close"]
		if f.ActiveAt("web_1", at) {
			return &model.Plan{Hosts: []model.HostPlan{{Host: "web_1", Provider: "apt", Policy: "web",
				Freeze: &model.FreezeInfo{Name: f.Name, From: *f.From, Until: *f.Until, Reason: f.Reason}}}}, nil
		}
		return &model.Plan{Hosts: []model.HostPlan{{Host: "web_1", Provider: "apt", Policy: "web",
			Actions: []model.Action{{Type: "upgrade", Package: "openssl"}}}}}, nil
	}
	cal, err := Build(cfg, plan, Options{From: from, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	acme, lab := cal.Clients[0], cal.Clients[1]
	want := []Freeze{{Name: "acme_close", Reason: "acme closes its books", UntilText: "2026-12-13", Hosts: []string{"web_1"},
		Start: time.Date(2026, 12, 12, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC), Location: time.UTC}}
	sameZone := cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })
	if diff := cmp.Diff(want, acme.Freezes, sameZone); diff != "" {
		t.Errorf("acme's freezes (-want +got):\n%s", diff)
	}
	if len(lab.Freezes) != 0 {
		t.Errorf("hosts without a client got %v", lab.Freezes)
	}
	if op := acme.Openings[0]; op.HeldAll() || len(op.Held) != 0 {
		t.Errorf("first weekend held: %+v", op.Held)
	}
	op := acme.Openings[1]
	if !op.HeldAll() || cmp.Diff([]Hold{{Freeze: "acme_close", Reason: "acme closes its books", Hosts: []string{"web_1"}}}, op.Held) != "" {
		t.Errorf("second weekend: held %+v", op.Held)
	}
	var b strings.Builder
	if err := WriteText(&b, cal); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"  Sat 2026-12-12 00:00 – Mon 2026-12-14 00:00 UTC  freeze acme_close, web_1\n    acme closes its books: only emergency policies act\n  Sat 2026-12-12 22:00",
		"    held by freeze acme_close: nothing expected\n",
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("text lacks %q:\n%s", line, b.String())
		}
	}
}

// TestRecurringFreeze: a freeze over a window's openings is listed as its
// next Count spans, on the window's clock.
func TestRecurringFreeze(t *testing.T) {
	src := conf + `
window "office" {
  schedule = "0 8 * * 1-5"
  duration = "10h"
  timezone = "Europe/Berlin"
}
freeze "acme_office" {
  window  = window.office
  reason  = "acme working hours"
  targets = [host.web_1]
}
`
	cfg, diags := config.LoadSources("c", map[string][]byte{"c/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	from := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC) // a Friday, 13:00 Berlin
	cal, err := Build(cfg, func(time.Time) (*model.Plan, error) { return &model.Plan{}, nil }, Options{From: from, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range cal.Clients[0].Freezes {
		got = append(got, f.Name+" "+f.Start.UTC().Format(time.RFC3339)+" "+f.End.UTC().Format(time.RFC3339)+" "+f.UntilText)
	}
	want := []string{
		"acme_office 2026-12-04T07:00:00Z 2026-12-04T17:00:00Z 2026-12-04 18:00 CET",
		"acme_office 2026-12-07T07:00:00Z 2026-12-07T17:00:00Z 2026-12-07 18:00 CET",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("freezes (-want +got):\n%s", diff)
	}
	var b strings.Builder
	if err := WriteText(&b, cal); err != nil {
		t.Fatal(err)
	}
	if line := "  Fri 2026-12-04 08:00 – 18:00 CET  freeze acme_office, web_1\n"; !strings.Contains(b.String(), line) {
		t.Errorf("text lacks %q:\n%s", line, b.String())
	}
}

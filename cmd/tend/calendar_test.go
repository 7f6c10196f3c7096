package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/tend-sh/tend/core/model"
)

// TestCalendarMatchesPlanAt: tend calendar --ics on the MSP example
// parses with the ICS library, has openings of its three windows (two cron
// ones and one after Patch Tuesday), and each event's expected installs are
// exactly what tend plan --at the event's start plans for its hosts in that
// window. The text view is a golden file.
func TestCalendarMatchesPlanAt(t *testing.T) {
	cal, base := calendarOfExample(t, "msp-fleet-calendar.txt", "")
	windows := map[string]int{}
	installs := 0
	for _, ev := range cal.Events() {
		summary := ev.GetProperty(ics.ComponentPropertySummary).Value
		window := summary[strings.LastIndex(summary, ": ")+2:]
		windows[window]++
		start, err := ev.GetStartAt()
		if err != nil {
			t.Fatal(err)
		}
		end, err := ev.GetEndAt()
		if err != nil || !end.After(start) {
			t.Fatalf("%s: end %v (%v)", summary, end, err)
		}
		desc := ics.FromText(ev.GetProperty(ics.ComponentPropertyDescription).Value)
		var hosts []string
		var got []string
		for _, line := range strings.Split(desc, "\n") {
			if h, ok := strings.CutPrefix(line, "Hosts: "); ok {
				hosts = strings.Split(h, ", ")
			}
			if l, ok := strings.CutPrefix(line, "- "); ok {
				got = append(got, l)
			}
		}
		installs += len(got)
		want := planAt(t, base, start, window, hosts)
		if !sameInstalls(got, want) {
			t.Errorf("%s at %s: calendar expects\n  %q\nplan --at plans\n  %q", summary, start, got, want)
		}
	}
	if installs < 20 {
		t.Errorf("only %d expected installs in the calendar", installs)
	}
	for _, w := range []string{"weekend_nights", "weeknights_ny", "after_patch_tuesday"} {
		if windows[w] == 0 {
			t.Errorf("no event for window %s: %v", w, windows)
		}
	}

	// --client keeps one client's events.
	var stdout, stderr bytes.Buffer
	args := append([]string{"calendar", "--at", "2026-12-01T00:00:00Z", "--client", "initech", "--ics", "-"}, base...)
	if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	one, err := ics.ParseCalendar(&stdout)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range one.Events() {
		if s := ev.GetProperty(ics.ComponentPropertySummary).Value; !strings.HasPrefix(s, "Patching initech: ") {
			t.Errorf("--client initech has %q", s)
		}
	}
	if len(one.Events()) != 6 { // two windows, three openings each
		t.Errorf("--client initech: %d events, want 6", len(one.Events()))
	}
}

// sameInstalls reports whether each of the calendar's lines ("host
// provider package from → to (classification)") is one of the plan's
// actions ("host  provider package"), each used once.
func sameInstalls(lines, actions []string) bool {
	if len(lines) != len(actions) {
		return false
	}
	left := slices.Clone(lines)
	for _, a := range actions {
		i := slices.IndexFunc(left, func(l string) bool { return l == a || strings.HasPrefix(l, a+" ") })
		if i < 0 {
			return false
		}
		left = slices.Delete(left, i, i+1)
	}
	return true
}

// planJSONAt returns what tend plan --json --at plans.
func planJSONAt(t *testing.T, base []string, at time.Time) model.Plan {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"plan", "--json", "--at", at.Format(time.RFC3339)}, base...)
	if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("plan exit %d\n%s", code, stderr.String())
	}
	var pl model.Plan
	if err := json.Unmarshal(stdout.Bytes(), &pl); err != nil {
		t.Fatal(err)
	}
	return pl
}

// planAt returns "host  provider package" of every action tend plan --at
// plans in window for hosts, sorted ("reboot" for a reboot).
func planAt(t *testing.T, base []string, at time.Time, window string, hosts []string) []string {
	t.Helper()
	pl := planJSONAt(t, base, at)
	var out []string
	for _, hp := range pl.Hosts {
		if hp.Window == nil || hp.Window.Name != window || !slices.Contains(hosts, hp.Host) {
			continue
		}
		if !hp.Window.Open {
			t.Errorf("plan --at %s: window %s is not open for %s", at, window, hp.Host)
		}
		for _, a := range hp.Actions {
			pkg := a.Package
			if a.Type == model.ActionReboot {
				pkg = "reboot"
			}
			out = append(out, hp.Host+"  "+hp.Provider+" "+pkg)
		}
	}
	slices.Sort(out)
	return out
}

// calendarOfExample runs tend calendar --ics over a copy of the MSP example
// (with extra, if set, as one more configuration file), checks its text
// view against the golden file named, and returns the parsed calendar and
// the flags that point tend at the copy.
func calendarOfExample(t *testing.T, goldenName, extra string) (*ics.Calendar, []string) {
	t.Helper()
	golden, err := filepath.Abs(filepath.Join("testdata", "golden", goldenName))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.CopyFS(filepath.Join(work, "examples"), os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	if extra != "" {
		if err := os.WriteFile("examples/msp-fleet/extra.tend.hcl", []byte(extra), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"-C", "examples/msp-fleet", "--inventory", "examples/msp-fleet/snapshots"}
	var stdout, stderr bytes.Buffer
	args := append([]string{"calendar", "--at", "2026-12-01T00:00:00Z", "--count", "2", "--ics", "cal.ics"}, base...)
	if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	goldenFile(t, golden, stdout.Bytes())
	f, err := os.Open("cal.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cal, err := ics.ParseCalendar(f)
	if err != nil {
		t.Fatal(err)
	}
	return cal, base
}

func goldenFile(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (rerun with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s; rerun with -update and review the diff.\n--- got ---\n%s", path, got)
	}
}

// TestCalendarFreezeMatchesPlanAt: the MSP example with a freeze over
// acme's second weekend night. tend calendar --ics shows the freeze as its
// own event for acme's hosts, marks the weekend opening it holds, and for
// every opening (cron, Patch Tuesday, and the frozen one) what it expects
// is what tend plan --at its start plans; plan --at says the same freeze
// holds each host the calendar says it holds. The text view is a golden
// file.
func TestCalendarFreezeMatchesPlanAt(t *testing.T) {
	freeze := `
group "acme_all" {
  match = { client = "acme" }
}

freeze "acme_quarter_close" {
  from    = "2026-12-12"
  until   = "2026-12-13"
  reason  = "acme closes its books"
  targets = [group.acme_all]
}
`
	cal, base := calendarOfExample(t, "msp-fleet-calendar-freeze.txt", freeze)
	windows := map[string]int{}
	var freezes, held []string
	for _, ev := range cal.Events() {
		summary := ev.GetProperty(ics.ComponentPropertySummary).Value
		start, err := ev.GetStartAt()
		if err != nil {
			t.Fatal(err)
		}
		end, err := ev.GetEndAt()
		if err != nil || !end.After(start) {
			t.Fatalf("%s: end %v (%v)", summary, end, err)
		}
		desc := ics.FromText(ev.GetProperty(ics.ComponentPropertyDescription).Value)
		var hosts, got, heldHosts []string
		for _, line := range strings.Split(desc, "\n") {
			if h, ok := strings.CutPrefix(line, "Hosts: "); ok {
				hosts = strings.Split(h, ", ")
			}
			if l, ok := strings.CutPrefix(line, "- "); ok {
				got = append(got, l)
			}
			if l, ok := strings.CutPrefix(line, "Held by freeze acme_quarter_close (acme closes its books): nothing expected on "); ok {
				heldHosts = strings.Split(strings.TrimSuffix(l, "."), ", ")
			}
		}
		if name, ok := strings.CutPrefix(summary, "Change freeze "); ok {
			freezes = append(freezes, fmt.Sprintf("%s %s %s %s", name, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), strings.Join(hosts, ",")))
			continue
		}
		window := summary[strings.LastIndex(summary, ": ")+2:]
		windows[window]++
		want := planAt(t, base, start, window, hosts)
		if !sameInstalls(got, want) {
			t.Errorf("%s at %s: calendar expects\n  %q\nplan --at plans\n  %q", summary, start, got, want)
		}
		if frozen := frozenAt(t, base, start, window, hosts); !slices.Equal(heldHosts, frozen) {
			t.Errorf("%s at %s: calendar says the freeze holds %q, plan --at %q", summary, start, heldHosts, frozen)
		}
		if heldHosts != nil {
			held = append(held, summary+" "+start.UTC().Format(time.RFC3339))
		}
	}
	wantFreezes := []string{"acme: acme_quarter_close 2026-12-12T00:00:00Z 2026-12-14T00:00:00Z acme_db_1,acme_dc01,acme_web_1,acme_web_2"}
	if !slices.Equal(freezes, wantFreezes) {
		t.Errorf("freeze events %q, want %q", freezes, wantFreezes)
	}
	if want := []string{"Patching acme: weekend_nights 2026-12-12T21:00:00Z"}; !slices.Equal(held, want) {
		t.Errorf("held openings %q, want %q", held, want)
	}
	for _, w := range []string{"weekend_nights", "weeknights_ny", "after_patch_tuesday"} {
		if windows[w] == 0 {
			t.Errorf("no event for window %s: %v", w, windows)
		}
	}
}

// frozenAt returns the hosts (sorted) that tend plan --at holds by a
// freeze in window, of hosts; nil when none.
func frozenAt(t *testing.T, base []string, at time.Time, window string, hosts []string) []string {
	t.Helper()
	pl := planJSONAt(t, base, at)
	var out []string
	for _, hp := range pl.Hosts {
		if hp.Window != nil && hp.Window.Name == window && slices.Contains(hosts, hp.Host) && hp.Freeze != nil && !slices.Contains(out, hp.Host) {
			out = append(out, hp.Host)
		}
	}
	slices.Sort(out)
	return out
}

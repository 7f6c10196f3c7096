package config

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/render/diagnostics"
)

func TestChangeControlDecodes(t *testing.T) {
	src := `
host "web_1" {
  transport = "local"
  suspend {
    until  = "2026-12-31T18:00:00Z"
    reason = "decommissioning"
  }
}
window "a" {
  schedule = "0 22 * * SAT"
  duration = "6h"
}
window "b" {
  schedule = "0 3 * * WED"
  duration = "2h"
}
freeze "year_end" {
  from    = "2026-12-20"
  until   = "2027-01-04"
  reason  = "client freeze"
  targets = [host.web_1]
}
policy "p" {
  provider = "apt"
  targets  = [host.web_1]
  approve {}
  window   = [window.a, window.b]
  suspend {
    until  = "2026-12-31"
    reason = "audit"
  }
  hook "pre" {
    argv = ["systemctl", "stop", "nginx"]
  }
  hook "post" {
    argv    = ["systemctl", "start", "nginx"]
    timeout = "30s"
  }
  hook "pre" {
    argv = ["lb", "drain"]
  }
}
`
	cfg, diags := LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := cfg.Policies["p"]
	if len(p.Windows) != 2 || p.Window == nil || p.Window.Name != "a" || p.Windows[1].Name != "b" {
		t.Errorf("windows = %+v, window = %+v", p.Windows, p.Window)
	}
	if got := *p.Suspend.Until; !got.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("policy suspend until = %s", got)
	}
	if got := *cfg.Hosts["web_1"].Suspend.Until; !got.Equal(time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("host suspend until = %s", got)
	}
	f := cfg.Freezes["year_end"]
	if !f.From.Equal(time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)) || !f.Until.Equal(time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)) || !f.Hosts["web_1"] {
		t.Errorf("freeze = %+v", f)
	}
	if !f.ActiveAt("web_1", time.Date(2027, 1, 4, 23, 0, 0, 0, time.UTC)) || f.ActiveAt("web_2", time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC)) {
		t.Error("freeze span or targets wrong")
	}
	type hook struct {
		Phase   string
		Index   int
		Argv    []string
		Timeout time.Duration
	}
	var got []hook
	for _, h := range p.Hooks {
		got = append(got, hook{h.Phase, h.Index, h.Argv, h.Timeout})
	}
	want := []hook{
		{"pre", 0, []string{"systemctl", "stop", "nginx"}, DefaultHookTimeout},
		{"post", 0, []string{"systemctl", "start", "nginx"}, 30 * time.Second},
		{"pre", 1, []string{"lb", "drain"}, DefaultHookTimeout},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hooks (-want +got):\n%s", diff)
	}
	if len(p.HooksOf(HookPre)) != 2 {
		t.Errorf("pre hooks = %d", len(p.HooksOf(HookPre)))
	}
	exp := Expired(cfg, time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC))
	if len(exp) != 2 || exp[0].Summary != "Expired suspension" || exp[1].Summary != "Expired suspension" {
		t.Errorf("expired = %v", exp)
	}
}

func TestExpiring(t *testing.T) {
	src := `
host "web_1" {
  transport = "local"
  suspend {
    until  = "2026-12-10"
    reason = "migration"
  }
}
policy "p" {
  provider = "apt"
  targets  = [host.web_1]
  approve {}
  exclude {
    packages = ["postgresql-*"]
    until    = "2026-12-05"
    reason   = "vendor"
  }
  suspend {
    until  = "2027-03-01"
    reason = "audit"
  }
}
`
	cfg, diags := LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, e := range Expiring(cfg, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), 14*24*time.Hour) {
		got = append(got, e.Kind+" "+e.Of+" "+e.UntilText+" "+e.Reason)
	}
	want := []string{`exclude policy "p" 2026-12-05 vendor`, `suspend host "web_1" 2026-12-10 migration`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("expiring (-want +got):\n%s", diff)
	}
}

// TestRecurringFreeze: a freeze with a window holds for each whole opening
// of it (its cutoff does not shorten the freeze), and says until when.
func TestRecurringFreeze(t *testing.T) {
	src := `
host "web_1" {
  transport = "local"
}
window "business_hours" {
  schedule = "0 8 * * 1-5"
  duration = "10h"
  cutoff   = "2h"
  timezone = "Europe/Berlin"
}
freeze "office" {
  window = window.business_hours
  reason = "client working hours"
}
`
	cfg, diags := LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	f := cfg.Freezes["office"]
	berlin, _ := time.LoadLocation("Europe/Berlin")
	monday := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, berlin) }
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{{monday(7, 59), false}, {monday(8, 0), true}, {monday(17, 30), true}, {monday(18, 0), false}, {time.Date(2026, 11, 28, 10, 0, 0, 0, berlin), false}} {
		if got := f.ActiveAt("web_1", tc.at); got != tc.want {
			t.Errorf("ActiveAt(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	if from, until, ok := f.SpanAt(monday(12, 0)); !ok || !from.Equal(monday(8, 0)) || !until.Equal(monday(18, 0)) {
		t.Errorf("SpanAt = %v %v %v", from, until, ok)
	}
	if from, until, ok := f.NextSpan(monday(19, 0)); !ok || !from.Equal(monday(8, 0).AddDate(0, 0, 1)) || !until.Equal(monday(18, 0).AddDate(0, 0, 1)) {
		t.Errorf("NextSpan = %v %v %v", from, until, ok)
	}
	if got := f.Text(monday(12, 0)); got != "frozen by freeze office until 2026-11-23 18:00 CET: client working hours" {
		t.Errorf("Text = %q", got)
	}
	// The cutoff is the window's, not the freeze's: it holds to 18:00.
	for _, tc := range []struct{ at, want time.Time }{
		{monday(7, 0), monday(8, 0)}, {monday(8, 0), monday(18, 0)}, {monday(17, 59), monday(18, 0)},
		{monday(18, 0), monday(8, 0).AddDate(0, 0, 1)}, {time.Date(2026, 11, 27, 19, 0, 0, 0, berlin), monday(8, 0).AddDate(0, 0, 7)},
	} {
		if got := f.NextChange(tc.at); !got.Equal(tc.want) {
			t.Errorf("NextChange(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestFreezeNextChangeOneSpan(t *testing.T) {
	from, until := time.Date(2026, 12, 18, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)
	f := &Freeze{From: &from, Until: &until}
	for _, tc := range []struct{ at, want time.Time }{
		{from.Add(-time.Hour), from}, {from, until}, {until.Add(-time.Nanosecond), until}, {until, time.Time{}}, {until.Add(time.Hour), time.Time{}},
	} {
		if got := f.NextChange(tc.at); !got.Equal(tc.want) {
			t.Errorf("NextChange(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestFreezeSpanErrors(t *testing.T) {
	head := "window \"office\" {\n  schedule = \"0 8 * * 1-5\"\n  duration = \"10h\"\n}\n"
	cases := map[string]struct{ body, want string }{
		"both":         {"  from = \"2026-12-01\"\n  window = window.office\n  reason = \"r\"\n", `t/main.tend.hcl:6:3: error: Conflicting freeze span`},
		"neither":      {"  reason = \"r\"\n", `t/main.tend.hcl:5:1: error: Missing freeze span: freeze "f" needs from and until (one span; from is missing)`},
		"no until":     {"  from = \"2026-12-01\"\n  reason = \"r\"\n", `until is missing`},
		"undeclared":   {"  window = window.ofice\n  reason = \"r\"\n", `t/main.tend.hcl:6:12: error: Reference to undeclared window: No window named "ofice" is declared. Did you mean window.office?`},
		"not a window": {"  window = host.a\n  reason = \"r\"\n", `t/main.tend.hcl:6:`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			src := head + "freeze \"f\" {\n" + tc.body + "}\n"
			cfg, diags := LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(src)}, os.ReadFile)
			var buf bytes.Buffer
			_ = diagnostics.Write(&buf, diags, cfg.Sources)
			if !diags.HasErrors() || !strings.Contains(buf.String(), tc.want) {
				t.Errorf("diagnostics = %s; want %q", buf.String(), tc.want)
			}
		})
	}
}

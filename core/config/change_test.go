package config

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

package compliance

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

// TestFromPlanner runs the real planner, so the deferred causes it records
// are the ones compliance reads.
func TestFromPlanner(t *testing.T) {
	const src = `
host "a" {
  transport = "local"
}
host "b" {
  transport = "local"
}
policy "p" {
  provider = "apt"
  targets  = [host.a, host.b]
  reject   = ["telnetd"]
  approve {
    classification = ["security"]
    after          = "AFTER"
  }
  rollout {
    ring "canary" {
      targets = [host.a]
      soak    = "24h"
    }
    ring "broad" {
      percent = 100
    }
  }
}
`
	snap := func(host string) *model.Snapshot {
		return &model.Snapshot{FormatVersion: "1", Host: host, ScannedAt: scanned,
			Providers: map[string]*model.ProviderInventory{"apt": {
				Installed: []model.Installed{{ID: "openssl", Name: "openssl", Version: "1"}, {ID: "telnetd", Name: "telnetd", Version: "0.17"}},
				Available: []model.Update{{ID: "openssl", Name: "openssl", From: "1", To: "2", Classification: "security",
					ReleasedAt: scanned.Add(-48 * time.Hour)}},
			}}}
	}
	inv := map[string]*model.Snapshot{"a": snap("a"), "b": snap("b")}
	tests := []struct {
		after string
		cause string              // of b's deferred openssl
		want  map[string][]string // host → item states by package
	}{
		// a upgrades now (missing), b waits for ring canary (missing too).
		{"1d", model.DeferRing, map[string][]string{
			"a": {"openssl=missing", "telnetd=installed_rejected"},
			"b": {"openssl=missing", "telnetd=installed_rejected"},
		}},
		// The approval delay has not passed: openssl is not required yet,
		// so its installed version is one the policy does not require.
		{"30d", model.DeferDelay, map[string][]string{
			"a": {"openssl=installed_other", "telnetd=installed_rejected"},
			"b": {"openssl=installed_other", "telnetd=installed_rejected"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.after, func(t *testing.T) {
			body := []byte(strings.Replace(src, "AFTER", tt.after, 1))
			cfg, diags := config.LoadSources("t", map[string][]byte{"t/main.tend.hcl": body}, os.ReadFile)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			pl, _ := planner.Plan(planner.Input{Config: cfg, Inventory: inv, Now: now})
			for _, hp := range pl.Hosts {
				if hp.Host == "b" && (len(hp.Deferred) != 1 || hp.Deferred[0].Cause != tt.cause) {
					t.Errorf("b deferred = %+v, want one with cause %q", hp.Deferred, tt.cause)
				}
			}
			reports, _ := Evaluate(Input{Plan: pl, Inventory: inv, Now: now})
			for _, r := range reports {
				var got []string
				for _, it := range r.Items {
					got = append(got, it.Package+"="+it.State)
				}
				want := tt.want[r.Host]
				if len(got) != len(want) {
					t.Errorf("%s: items %v, want %v", r.Host, got, want)
					continue
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("%s: items %v, want %v", r.Host, got, want)
						break
					}
				}
			}
		})
	}
}

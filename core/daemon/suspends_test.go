package daemon

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/notify"
)

func TestSuspendsEnding(t *testing.T) {
	cfg, diags := config.LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(`
host "db_1" {
  transport = "local"
  suspend {
    until  = "2026-12-10"
    reason = "migration"
  }
}
host "web_1" {
  transport = "local"
  suspend {
    until  = "2026-11-01"
    reason = "over"
  }
}
policy "p" {
  provider = "apt"
  targets  = [host.db_1, host.web_1]
  approve {}
  suspend {
    until  = "2027-03-01"
    reason = "audit"
  }
}
`)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := suspendsEnding(cfg, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	want := []notify.Expiring{
		{Host: "db_1", Reason: "migration", Until: time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)},
		{Policy: "p", Reason: "audit", Until: time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suspends (-want +got):\n%s", diff)
	}
}

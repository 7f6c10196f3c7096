package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/internal/testfile"
)

const testConfig = `
host "web_1" {
  transport = "local"
}
policy "p" {
  provider = "apt"
  targets  = [host.web_1]
  approve {}
}
`

func TestPlanErrors(t *testing.T) {
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "bad", "main.tend.hcl"), `host "x" { transport = "carrier-pigeon" }`)
	res, err := Plan(context.Background(), PlanOptions{ConfigDir: filepath.Join(dir, "bad"), Inventory: dir, Now: time.Now()})
	if !errors.Is(err, ErrConfig) || !res.Diagnostics.HasErrors() || res.Saved != nil {
		t.Errorf("bad config: err = %v, res = %+v", err, res)
	}
	testfile.Write(t, filepath.Join(dir, "good", "main.tend.hcl"), testConfig)
	if _, err := Plan(context.Background(), PlanOptions{ConfigDir: filepath.Join(dir, "good"), Inventory: "live", Now: time.Now()}); err == nil || !strings.Contains(err.Error(), "run tend init") {
		t.Errorf("live inventory: err = %v", err)
	}
	if _, err := Plan(context.Background(), PlanOptions{ConfigDir: filepath.Join(dir, "good"), Inventory: filepath.Join(dir, "missing"), Now: time.Now()}); err == nil {
		t.Error("missing inventory dir: want error")
	}
}

package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

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
	writeFile(t, filepath.Join(dir, "bad", "main.tend.hcl"), `host "x" { transport = "carrier-pigeon" }`)
	res, err := Plan(context.Background(), PlanOptions{ConfigDir: filepath.Join(dir, "bad"), Inventory: dir, Now: time.Now()})
	if !errors.Is(err, ErrConfig) || !res.Diagnostics.HasErrors() || res.Saved != nil {
		t.Errorf("bad config: err = %v, res = %+v", err, res)
	}
	writeFile(t, filepath.Join(dir, "good", "main.tend.hcl"), testConfig)
	if _, err := Plan(context.Background(), PlanOptions{ConfigDir: filepath.Join(dir, "good"), Inventory: "live", Now: time.Now()}); err == nil || !strings.Contains(err.Error(), "run tend init") {
		t.Errorf("live inventory: err = %v", err)
	}
	if _, err := Plan(context.Background(), PlanOptions{ConfigDir: filepath.Join(dir, "good"), Inventory: filepath.Join(dir, "missing"), Now: time.Now()}); err == nil {
		t.Error("missing inventory dir: want error")
	}
}

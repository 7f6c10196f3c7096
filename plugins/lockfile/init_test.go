package lockfile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
)

func TestInitVersionConstraint(t *testing.T) {
	loadertest.InstallTestProvider(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tend.hcl"), []byte(loadertest.TestProviderConfig+"tend {\n required_providers {\n test = \">= 2.0.0\"\n }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if _, err := Init(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), `does not satisfy required_providers ">= 2.0.0"`) {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Errorf("a lock file was written despite the failure: %v", err)
	}
}

package session

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/internal/testfile"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/plugins/lockfile"
)

// openTest locks the loader's test provider, installed as provider name,
// for its configuration and opens a session on it.
func openTest(t *testing.T, name, pkg string) *Providers {
	t.Helper()
	loadertest.Install(t, name, pkg)
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), strings.ReplaceAll(loadertest.TestProviderConfig, `"test"`, `"`+name+`"`))
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if name != "test" {
		cfg.Providers[name].Attributes = nil // the old provider takes no greeting
	}
	if _, err := lockfile.Init(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	ps, err := OpenProviders(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ps.Close)
	return ps
}

func TestResolve(t *testing.T) {
	ps := openTest(t, "test", "github.com/tend-sh/tend/plugins/loader/internal/testprovider")
	ctx := context.Background()
	changes, _, err := ps.Resolve(ctx, "web_1", "test", []model.ProviderAction{{ID: "web_1/test/app", Type: model.ActionUpgrade, Package: "app", From: "1", To: "2"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Change{
		{Package: "liba", Kind: model.ChangeUpgrade, From: "1", To: "2", RequiredBy: []string{"app"}},
		{Package: "app", Kind: model.ChangeUpgrade, From: "1", To: "2"},
	}
	if d := cmp.Diff(want, changes); d != "" {
		t.Errorf("Resolve (-want +got):\n%s", d)
	}
	if _, _, err := ps.Resolve(ctx, "db_9", "test", nil); err == nil || !strings.Contains(err.Error(), `host "db_9" is not in the configuration`) {
		t.Errorf("unknown host: err = %v", err)
	}
}

func TestResolveUnsupported(t *testing.T) {
	ps := openTest(t, "old", "github.com/tend-sh/tend/plugins/loader/internal/oldprovider")
	_, _, err := ps.Resolve(context.Background(), "web_1", "old", []model.ProviderAction{{ID: "web_1/old/a", Package: "a"}})
	if !errors.Is(err, loader.ErrResolveUnsupported) {
		t.Errorf("err = %v; want loader.ErrResolveUnsupported", err)
	}
}

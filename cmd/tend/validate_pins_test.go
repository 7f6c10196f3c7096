package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
)

// TestValidatePinsScript runs testdata/script/validate_pins*.txtar with the
// real apt provider built into $TEND_PLUGIN_DIR (and on PATH, which the
// scripts test to know they may run; TestScript runs them without it, and
// they skip). $PLUGIN_BIN is the binary.
func TestValidatePinsScript(t *testing.T) {
	dir := loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	files, err := filepath.Glob("testdata/script/validate_pins*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no validate_pins scripts: %v", err)
	}
	testscript.Run(t, testscript.Params{
		Files: files,
		Setup: func(env *testscript.Env) error {
			env.Setenv(loader.EnvPluginDir, dir)
			env.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("PLUGIN_BIN", filepath.Join(dir, loader.BinaryPrefix+"apt"))
			env.Setenv("NO_COLOR", "")
			return nil
		},
	})
}

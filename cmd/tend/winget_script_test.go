package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
)

// TestScriptWinget runs the scenarios in testdata/winget/*.txtar: the real
// winget provider, built into $TEND_PLUGIN_DIR, over the local transport,
// with a powershell.exe on PATH that answers as the winget scripts do on
// a Windows host: the scan document in $WINGET_SCAN, or, when stdin holds
// an apply's parameters, the apply document in $WINGET_APPLY (what runs
// and with which argv is the provider's unit tests' part). $FIXTURES is
// providers/winget/testdata.
func TestScriptWinget(t *testing.T) {
	plugins := loadertest.Install(t, "winget", "github.com/tend-sh/tend/providers/winget/cmd/tend-provider-winget")
	bin := t.TempDir()
	stand := "#!/bin/sh\nin=$(cat)\nprintf '%s' \"$in\" >> \"$WINGET_STDIN\"\ncase \"$in\" in\n*'\"upgrade\"'*) cat \"$WINGET_APPLY\" ;;\n*) cat \"$WINGET_SCAN\" ;;\nesac\n"
	if err := os.WriteFile(filepath.Join(bin, "powershell.exe"), []byte(stand), 0o755); err != nil {
		t.Fatal(err)
	}
	fixtures, err := filepath.Abs("../../providers/winget/testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/winget",
		Setup: func(env *testscript.Env) error {
			env.Setenv("TEND_PLUGIN_DIR", plugins)
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("FIXTURES", fixtures)
			env.Setenv("WINGET_SCAN", filepath.Join(fixtures, "scan", "upgrades.json"))
			env.Setenv("WINGET_APPLY", filepath.Join(fixtures, "apply", "ok.json"))
			env.Setenv("WINGET_STDIN", filepath.Join(env.WorkDir, "stdin.log"))
			env.Setenv("NO_COLOR", "")
			return nil
		},
	})
}

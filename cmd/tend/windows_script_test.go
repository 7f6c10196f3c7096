package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
)

// TestScriptWindows runs the scenarios in testdata/windows/*.txtar: the real
// windowsupdate provider, built into $TEND_PLUGIN_DIR, against a replayed
// Windows host (cmd/tend-winhost as powershell.exe, shutdown.exe and cat on
// PATH, answering from $TEND_WINHOST_STATE) over the local transport.
// $HOSTS is providers/windowsupdate/testdata/hosts, the recorded hosts;
// $REPO the repository, for the shipped examples.
func TestScriptWindows(t *testing.T) {
	plugins := loadertest.Install(t, "windowsupdate", "github.com/tend-sh/tend/providers/windowsupdate/cmd/tend-provider-windowsupdate")
	// The MSP example needs every provider it names.
	for _, p := range []string{"apt", "winget", "fwupd"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(plugins, "tend-provider-"+p), "github.com/tend-sh/tend/providers/"+p+"/cmd/tend-provider-"+p).CombinedOutput()
		if err != nil {
			t.Fatalf("building tend-provider-%s: %v\n%s", p, err, out)
		}
	}
	bin := t.TempDir()
	stand := filepath.Join(bin, "powershell.exe")
	if out, err := exec.Command("go", "build", "-o", stand, "github.com/tend-sh/tend/cmd/tend-winhost").CombinedOutput(); err != nil {
		t.Fatalf("building tend-winhost: %v\n%s", err, out)
	}
	for _, name := range []string{"shutdown.exe", "cat"} {
		if err := os.Link(stand, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/windows",
		Setup: func(env *testscript.Env) error {
			env.Setenv("TEND_PLUGIN_DIR", plugins)
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("TEND_WINHOST_STATE", filepath.Join(env.WorkDir, "host.json"))
			env.Setenv("HOSTS", filepath.Join(repo, "providers", "windowsupdate", "testdata", "hosts"))
			env.Setenv("REPO", repo)
			env.Setenv("NO_COLOR", "")
			return nil
		},
	})
}

package loadertest

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/plugins/loader"
)

// Install builds the main package pkg (an import path) as provider name
// into a fresh directory, points TEND_PLUGIN_DIR at it for the rest of the
// test, and returns the directory. The Go build cache makes it cheap.
func Install(t testing.TB, name, pkg string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, loader.BinaryPrefix+name), pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("building provider %s from %s: %v\n%s", name, pkg, err, out)
	}
	t.Setenv(loader.EnvPluginDir, dir)
	return dir
}

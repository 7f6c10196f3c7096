//go:build pwshgrammar

package psgrammar

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/providers/internal/winscript"
)

// TestScripts parse-checks every PowerShell script in the repository
// (every *.ps1 outside testdata folders: each provider's scripts/ and
// winscript's prelude), both as written and as it runs (prelude first,
// compacted by winscript.Script.Text).
func TestScripts(t *testing.T) {
	root := moduleRoot(t)
	var scripts []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || d.Name() == "bin" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".ps1") {
			scripts = append(scripts, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) < 1 {
		t.Fatalf("found %d scripts under %s, want at least the prelude", len(scripts), root)
	}
	for _, path := range scripts {
		rel, _ := filepath.Rel(root, path)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("checking %s", rel)
		check(t, rel, src)
		check(t, rel+" (as run)", []byte(winscript.Script{Name: rel, Source: string(src)}.Text()))
	}
}

// TestBrokenScriptRejected makes sure the check can fail: a script with
// unclosed blocks does not pass.
func TestBrokenScriptRejected(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "broken.ps1"))
	if err != nil {
		t.Fatal(err)
	}
	errs, err := Check(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 {
		t.Fatal("testdata/broken.ps1 parsed without errors")
	}
	if errs[0].Line < 3 {
		t.Errorf("first error at line %d, want it in the function (line 3 on): %v", errs[0].Line, errs)
	}
	// The grammar is stricter than PowerShell in two places the scripts
	// avoid: a file of only comments or white space, and a statement after
	// param(…) on the same line.
	for _, good := range []string{"$x = 1\n", "function f {\n    param([string]$a)\n    \"$a\"\n}\n"} {
		if errs, err := Check([]byte(good)); err != nil || len(errs) != 0 {
			t.Errorf("%q: %v %v", good, errs, err)
		}
	}
}

func check(t *testing.T, name string, src []byte) {
	t.Helper()
	errs, err := Check(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	for _, e := range errs {
		line := ""
		if e.Line <= len(lines) {
			line = strings.TrimSpace(lines[e.Line-1])
		}
		t.Errorf("%s:%s: %s", name, e, line)
	}
}

// moduleRoot is the folder holding go.mod, above the test's folder.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

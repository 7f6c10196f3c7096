package gitsource

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

// configRepo commits a tree with a sub-directory, an executable and
// symlinks, pushes it and returns a fetched Source and the commit.
func configRepo(t *testing.T, o Options) (*fixture, *Source, plumbing.Hash) {
	t.Helper()
	f := newFixture(t)
	for p, content := range map[string]string{
		"README.md":                "readme\n",
		"fleet/main.tend.hcl":      "main\n",
		"fleet/hosts/web.tend.hcl": "web\n",
		"fleet/run.sh":             "#!/bin/sh\n",
	} {
		full := filepath.Join(f.work, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(f.work, "fleet", "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("main.tend.hcl", filepath.Join(f.work, "fleet", "alias.tend.hcl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../main.tend.hcl", filepath.Join(f.work, "fleet", "hosts", "up.tend.hcl")); err != nil {
		t.Fatal(err)
	}
	runGit(t, f.work, "add", "-A")
	runGit(t, f.work, "commit", "-q", "-m", "config")
	h := plumbing.NewHash(runGit(t, f.work, "rev-parse", "HEAD"))
	f.push("main")
	s := f.open(o)
	if _, err := s.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	return f, s, h
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func TestExportRoot(t *testing.T) {
	_, s, h := configRepo(t, Options{})
	root := filepath.Join(t.TempDir(), "export")
	dir, err := s.Export(h, root)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(root, h.String()) {
		t.Fatalf("dir = %s", dir)
	}
	want := map[string]string{
		"README.md":                "readme\n",
		"fleet/main.tend.hcl":      "main\n",
		"fleet/hosts/web.tend.hcl": "web\n",
		"fleet/run.sh":             "#!/bin/sh\n",
	}
	if d := cmp.Diff(want, readTree(t, dir)); d != "" {
		t.Errorf("exported files (-want +got):\n%s", d)
	}
	if m := mode(t, filepath.Join(dir, "fleet", "main.tend.hcl")); m != 0o644 {
		t.Errorf("regular file mode %v", m)
	}
	if m := mode(t, filepath.Join(dir, "fleet", "run.sh")); m != 0o755 {
		t.Errorf("executable mode %v", m)
	}
	if m := mode(t, dir); m != os.ModeDir|0o755 {
		t.Errorf("export dir mode %v", m)
	}
	for link, target := range map[string]string{"fleet/alias.tend.hcl": "main\n", "fleet/hosts/up.tend.hcl": "main\n"} {
		p := filepath.Join(dir, filepath.FromSlash(link))
		if mode(t, p)&os.ModeSymlink == 0 {
			t.Errorf("%s is not a symlink", link)
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != target {
			t.Errorf("%s reads %q, %v", link, b, err)
		}
	}
	if left := tmpDirs(t, root); len(left) != 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

func tmpDirs(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestExportSubPath(t *testing.T) {
	_, s, h := configRepo(t, Options{Path: "fleet/"})
	dir, err := s.Export(h, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"main.tend.hcl":      "main\n",
		"hosts/web.tend.hcl": "web\n",
		"run.sh":             "#!/bin/sh\n",
	}
	if d := cmp.Diff(want, readTree(t, dir)); d != "" {
		t.Errorf("exported files (-want +got):\n%s", d)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "hosts", "up.tend.hcl")); err != nil || string(b) != "main\n" {
		t.Errorf("symlink inside the sub-path reads %q, %v", b, err)
	}
}

func TestExportReuse(t *testing.T) {
	f, s, h := configRepo(t, Options{Path: "fleet"})
	root := t.TempDir()
	dir, err := s.Export(h, root)
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "marker")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := s.Export(h, root)
	if err != nil || again != dir {
		t.Fatalf("second Export = %s, %v", again, err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("second Export rewrote the directory instead of reusing it")
	}
	// The same commit exported for another Path is not reused.
	other := f.open(Options{Dir: s.RepoPath()})
	dir2, err := other.Export(h, root)
	if err != nil || dir2 != dir {
		t.Fatalf("Export with Path \"\" = %s, %v", dir2, err)
	}
	if _, err := os.Stat(filepath.Join(dir2, "README.md")); err != nil {
		t.Errorf("export for Path \"\" reused the one for Path \"fleet\": %v", err)
	}
}

func TestExportMissingPath(t *testing.T) {
	_, s, h := configRepo(t, Options{Path: "prod/fleet"})
	root := t.TempDir()
	_, err := s.Export(h, root)
	if !errors.Is(err, ErrPathNotFound) {
		t.Fatalf("err = %v, want ErrPathNotFound", err)
	}
	for _, want := range []string{`"prod/fleet"`, "does not exist", h.String(), `"main"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	unknown := plumbing.NewHash("2222222222222222222222222222222222222222")
	if _, err := s.Export(unknown, root); err == nil || !strings.Contains(err.Error(), "not in the local clone") {
		t.Fatalf("Export of an unknown commit: %v", err)
	}
	_, s2, _ := configRepo(t, Options{Path: "README.md"})
	h2, _ := s2.Head()
	if _, err := s2.Export(h2, root); !errors.Is(err, ErrPathNotFound) || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("err = %v, want ErrPathNotFound: not a directory", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("failed exports left %d entries", len(entries))
	}
}

func TestExportRefusesEscapingSymlink(t *testing.T) {
	f, s, _ := configRepo(t, Options{Path: "fleet"})
	// Inside the repository, but outside the exported sub-path.
	if err := os.Symlink("../README.md", filepath.Join(f.work, "fleet", "readme")); err != nil {
		t.Fatal(err)
	}
	runGit(t, f.work, "add", "-A")
	runGit(t, f.work, "commit", "-q", "-m", "escape")
	f.push("main")
	h, err := s.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	_, err = s.Export(h, root)
	if err == nil || !strings.Contains(err.Error(), "readme -> ../README.md points outside the exported tree") {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("failed export left %d entries", len(entries))
	}
}

// TestExportSizeLimit: a commit whose files outgrow the export limit fails
// its export, naming the file, and leaves nothing behind; the limit counts
// every file of the tree, not one at a time.
func TestExportSizeLimit(t *testing.T) {
	old := exportLimit
	exportLimit = 1 << 20
	t.Cleanup(func() { exportLimit = old })
	f, s, _ := configRepo(t, Options{Path: "fleet"})
	half := strings.Repeat("x", 600<<10)
	f.commit(map[string]string{"fleet/a.json": half})
	f.push("main")
	h, err := s.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if _, err := s.Export(h, root); err != nil {
		t.Fatalf("an export within the limit: %v", err)
	}
	f.commit(map[string]string{"fleet/b.json": half})
	f.push("main")
	if h, err = s.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	root = t.TempDir()
	_, err = s.Export(h, root)
	if err == nil || !strings.Contains(err.Error(), "b.json (614400 bytes): the exported files would be larger than the limit of 1 MiB") {
		t.Fatalf("err = %v, want the export limit naming b.json", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("failed export left %d entries", len(entries))
	}
}

func TestCheckLink(t *testing.T) {
	for _, tc := range []struct {
		path, target string
		ok           bool
	}{
		{"a", "b", true},
		{"a", "./b/c", true},
		{"d/a", "../b", true},
		{"d/e/a", "../../b/c", true},
		{"d/a", "..", true},
		{"a", "../b", false},
		{"d/a", "../../b", false},
		{"a", "/etc/passwd", false},
		{"a", "b/../c", false},
		{"d/e/a", "x/../../..", false},
		{"a", "", false},
		{"a", `..\b`, false},
	} {
		err := checkLink(tc.path, tc.target)
		if (err == nil) != tc.ok {
			t.Errorf("checkLink(%q, %q) = %v, want ok=%v", tc.path, tc.target, err, tc.ok)
		}
	}
}

func TestPrune(t *testing.T) {
	f, s, h1 := configRepo(t, Options{})
	h2 := f.commit(map[string]string{"README.md": "two\n"})
	f.push("main")
	if _, err := s.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, h := range []plumbing.Hash{h1, h2} {
		if _, err := s.Export(h, root); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{tmpPrefix + "leftover", "notes"} {
		if err := os.Mkdir(filepath.Join(root, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Prune(root, h2); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{"." + h2.String() + stampSuffix, h2.String(), "notes"}
	slices.Sort(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("after Prune (-want +got):\n%s", d)
	}
	if err := s.Prune(filepath.Join(root, "missing")); err != nil {
		t.Errorf("Prune of a missing root: %v", err)
	}
}

package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestReadmeTour runs the shell block of the README's "A short tour", top
// to bottom and verbatim, in a copy of the repository that is a Git
// repository of its own (make build included): every command must exit 0,
// a --detailed-exitcode one 0 or 2 (issue 18, item 8).
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every binary; not with -short")
	}
	for _, tool := range []string{"bash", "make", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	if err := apttest.Available(); err != nil {
		t.Skip(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	commands := tourCommands(t, string(readme))

	work := filepath.Join(t.TempDir(), "tend")
	copyRepo(t, filepath.Join("..", ".."), work)
	env := append(os.Environ(), "TMPDIR="+t.TempDir(), "NO_COLOR=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "tend"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = work, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}

	// One bash process, so the tour's variables carry from line to line;
	// each command's exit status is checked as it ends.
	var script strings.Builder
	script.WriteString("set -u\n")
	for i, c := range commands {
		allowed := "0"
		if strings.Contains(c, "--detailed-exitcode") {
			allowed = "0|2"
		}
		script.WriteString("echo '>>> " + strconv.Itoa(i) + "' >&2\n" + c + "\nrc=$?\ncase $rc in " + allowed +
			") ;; *) echo \"tour command " + strconv.Itoa(i) + " exited $rc\" >&2; exit 1 ;; esac\n")
	}
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Dir, cmd.Env = work, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README tour failed: %v\n%s", err, tail(string(out), 80))
	}
	for _, want := range []string{"The configuration is valid", "Saved the plan to", "Compliance:"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the tour's output lacks %q:\n%s", want, tail(string(out), 80))
		}
	}
}

// tourCommands returns the commands of the first sh block after "## A
// short tour": comments and blank lines dropped, continued lines joined.
func tourCommands(t *testing.T, readme string) []string {
	t.Helper()
	m := regexp.MustCompile("(?s)## A short tour\n.*?```sh\n(.*?)```").FindStringSubmatch(readme)
	if m == nil {
		t.Fatal(`README.md has no sh block under "## A short tour"`)
	}
	var out []string
	cur := ""
	for _, line := range strings.Split(m[1], "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		out = append(out, cur+line)
		cur = ""
	}
	if len(out) < 5 || !strings.HasPrefix(out[0], "make build") {
		t.Fatalf("the tour block looks wrong (it should start with make build): %q", out)
	}
	return out
}

// copyRepo copies the source tree at src to dst, without .git, bin/ and
// tend's working directories.
func copyRepo(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".tend" || rel == "bin") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case !d.Type().IsRegular() || d.Name() == ".git":
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

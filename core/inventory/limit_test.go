package inventory

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tend-sh/tend/core/reportsbranch"
)

// TestReadDirHostileFiles: a snapshot larger than MaxSnapshotSize (a
// sparse file of 1 GiB after a valid snapshot), /dev/zero and a FIFO
// nobody writes to are refused, naming the file, without being read.
func TestReadDirHostileFiles(t *testing.T) {
	cases := map[string]struct {
		make func(t *testing.T, path string)
		want string
	}{
		"sparse 1 GiB": {func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, 1<<30+1); err != nil {
				t.Fatal(err)
			}
		}, "larger than the limit of 64 MiB"},
		"just over the limit": {func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, MaxSnapshotSize+1); err != nil {
				t.Fatal(err)
			}
		}, "larger than the limit of 64 MiB"},
		"/dev/zero": {func(t *testing.T, path string) {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		"fifo": {func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}, "not a regular file"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "web_1"), 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "web_1", reportsbranch.SnapshotFile)
			tc.make(t, path)
			_, err := ReadDir(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want it to name %s and say %q", err, path, tc.want)
			}
		})
	}
}

// TestReadFileAtTheLimit: a file of exactly MaxSnapshotSize bytes is read
// whole.
func TestReadFileAtTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), reportsbranch.SnapshotFile)
	if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, MaxSnapshotSize); err != nil {
		t.Fatal(err)
	}
	data, err := readFile(path)
	if err != nil || len(data) != MaxSnapshotSize {
		t.Fatalf("readFile = %d bytes, %v; want %d bytes", len(data), err, MaxSnapshotSize)
	}
}

// TestReadGitTooLarge: a snapshot blob larger than MaxSnapshotSize in the
// reports branch is refused, naming the revision and the file. The
// repository is made with git itself, which writes the 64 MiB blob in a
// fraction of the time go-git needs.
func TestReadGitTooLarge(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxSnapshotSize+1); err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	run("", "init", "-q")
	blob := run("", "hash-object", "-w", big)
	host := run("100644 blob "+blob+"\t"+reportsbranch.SnapshotFile+"\n", "mktree")
	hosts := run("040000 tree "+host+"\tweb_1\n", "mktree")
	root := run("040000 tree "+hosts+"\t"+reportsbranch.HostsDir+"\n", "mktree")
	commit := run("", "commit-tree", "-m", "reports", root)
	run("", "update-ref", "refs/heads/tend/reports", commit)
	_, err := ReadGit(dir, "tend/reports")
	if err == nil || !strings.Contains(err.Error(), "larger than the limit of 64 MiB") || !strings.Contains(err.Error(), "git:tend/reports:hosts/web_1/"+reportsbranch.SnapshotFile) {
		t.Fatalf("err = %v, want the size limit for git:tend/reports:hosts/web_1/%s", err, reportsbranch.SnapshotFile)
	}
}

package reportsbranch

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileLimit: a file over MaxFile on the branch (a hostile push) is an
// error wrapping ErrTooLarge, found from its size without reading it; a
// file within the limit is read.
func TestFileLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxFile+1); err != nil {
		t.Fatal(err)
	}
	git := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	git("", "init", "-q")
	bigBlob := git("", "hash-object", "-w", big)
	small := git("{\"policy\":\"p\"}\n", "hash-object", "-w", "--stdin")
	rollouts := git("100644 blob "+bigBlob+"\tbig.json\n100644 blob "+small+"\tsmall.json\n", "mktree")
	root := git("040000 tree "+rollouts+"\trollouts\n", "mktree")
	git("", "update-ref", "refs/heads/tend/reports", git("", "commit-tree", "-m", "reports", root))

	tree, err := At(dir, "tend/reports")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tree.File("rollouts/big.json"); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "rollouts/big.json") {
		t.Fatalf("File(big) err = %v, want ErrTooLarge naming rollouts/big.json", err)
	}
	data, ok, err := tree.File("rollouts/small.json")
	if err != nil || !ok || string(data) != "{\"policy\":\"p\"}\n" {
		t.Fatalf("File(small) = %q, %v, %v", data, ok, err)
	}
}

package reportsbranch

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

var when = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func testCommit(short string) Commit {
	msg, tr := Message("9f2c1234567890abcdef1234567890abcdef1234", 2, 1, 0)
	return Commit{
		Message:  msg + "\n\n" + short,
		Trailers: tr,
		Author:   object.Signature{Name: "tend", Email: "tend@example.com", When: when},
	}
}

// workRepo makes a repository with a work tree and one commit on master.
func workRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tend.hcl"), []byte("hosts {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("main.tend.hcl"); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Commit("init", &git.CommitOptions{Author: &object.Signature{Name: "a", Email: "a@b", When: when}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func treeFiles(t *testing.T, repoPath string, h plumbing.Hash) map[string]string {
	t.Helper()
	r, err := git.PlainOpen(repoPath)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	iter, err := c.Files()
	if err != nil {
		t.Fatal(err)
	}
	if err := iter.ForEach(func(f *object.File) error {
		s, err := f.Contents()
		out[f.Name] = s
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func branchHead(t *testing.T, repoPath, branch string) plumbing.Hash {
	t.Helper()
	r, err := git.PlainOpen(repoPath)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName(branch), false)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Hash()
}

func gitCheck(t *testing.T, repoPath string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		return ""
	}
	cmd := exec.Command("git", append([]string{"-C", repoPath}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestMessage(t *testing.T) {
	msg, tr := Message("9f2c1234567890abcdef1234567890abcdef1234", 12, 3, 1)
	if msg != "tend: 9f2c123 12 hosts, 3 changed, 1 failed" {
		t.Errorf("msg = %q", msg)
	}
	if len(tr) != 1 || tr["Tend-Config-Commit"] != "9f2c1234567890abcdef1234567890abcdef1234" {
		t.Errorf("trailers = %v", tr)
	}
}

func TestWriteNewBranchLeavesWorkTree(t *testing.T) {
	dir := workRepo(t)
	index0, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	head0, _ := os.ReadFile(filepath.Join(dir, ".git", "HEAD"))

	files := Files{
		"SUMMARY.md":                 []byte("# fleet\n"),
		"hosts/web_1/report.json":    []byte(`{"host":"web_1"}`),
		"hosts/web_1/inventory.json": []byte(`{}`),
	}
	c := Commit{
		Message:  "tend: 9f2c123 1 hosts, 0 changed, 0 failed",
		Trailers: map[string]string{"Tend-Config-Commit": "9f2c123456", "A-First": "x"},
		Author:   object.Signature{Name: "tend", Email: "tend@example.com", When: when},
	}
	h, changed, err := Write(dir, "reports", files, c)
	if err != nil || !changed {
		t.Fatalf("Write = %v, %v, %v", h, changed, err)
	}
	if got := branchHead(t, dir, "reports"); got != h {
		t.Fatalf("branch at %s, want %s", got, h)
	}
	got := treeFiles(t, dir, h)
	if len(got) != len(files) {
		t.Errorf("tree has %v", got)
	}
	for p, want := range files {
		if got[p] != string(want) {
			t.Errorf("%s = %q, want %q", p, got[p], want)
		}
	}
	r, _ := git.PlainOpen(dir)
	cm, err := r.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	wantMsg := "tend: 9f2c123 1 hosts, 0 changed, 0 failed\n\nA-First: x\nTend-Config-Commit: 9f2c123456\n"
	if cm.Message != wantMsg {
		t.Errorf("message = %q, want %q", cm.Message, wantMsg)
	}
	if len(cm.ParentHashes) != 0 {
		t.Errorf("orphan commit has parents %v", cm.ParentHashes)
	}
	if !cm.Author.When.Equal(when) || cm.Committer.Email != "tend@example.com" {
		t.Errorf("author %v committer %v", cm.Author, cm.Committer)
	}

	// Work tree, index and HEAD untouched.
	index1, _ := os.ReadFile(filepath.Join(dir, ".git", "index"))
	head1, _ := os.ReadFile(filepath.Join(dir, ".git", "HEAD"))
	if !bytes.Equal(index0, index1) || !bytes.Equal(head0, head1) {
		t.Error("index or HEAD changed")
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != ".git,main.tend.hcl" {
		t.Errorf("work tree now holds %v", names)
	}
	wt, _ := r.Worktree()
	st, err := wt.Status()
	if err != nil || !st.IsClean() {
		t.Errorf("status = %v, %v", st, err)
	}
	gitCheck(t, dir, "fsck", "--strict")
	if out := gitCheck(t, dir, "log", "-1", "--format=%(trailers:key=Tend-Config-Commit,valueonly)", "reports"); out != "" && strings.TrimSpace(out) != "9f2c123456" {
		t.Errorf("git log trailer = %q", out)
	}

	// 2. Identical files: no new commit.
	c2 := c
	c2.Author.When = when.Add(time.Hour)
	h2, changed, err := Write(dir, "reports", files, c2)
	if err != nil || changed || h2 != h {
		t.Fatalf("rewrite = %v, %v, %v; want %v, false", h2, changed, err, h)
	}
	if got := branchHead(t, dir, "reports"); got != h {
		t.Errorf("branch moved to %s", got)
	}
}

func TestWriteSubsetKeepsOthers(t *testing.T) {
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, true); err != nil {
		t.Fatal(err)
	}
	h1, _, err := Write(dir, "reports", Files{
		"hosts/a/report.json": []byte("a1"),
		"hosts/b/report.json": []byte("b1"),
		"summary.json":        []byte("s1"),
	}, testCommit("one"))
	if err != nil {
		t.Fatal(err)
	}
	h2, changed, err := Write(dir, "reports", Files{"hosts/b/report.json": []byte("b2")}, testCommit("two"))
	if err != nil || !changed {
		t.Fatalf("Write = %v, %v", changed, err)
	}
	got := treeFiles(t, dir, h2)
	want := map[string]string{"hosts/a/report.json": "a1", "hosts/b/report.json": "b2", "summary.json": "s1"}
	if len(got) != len(want) {
		t.Errorf("tree = %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	r, _ := git.PlainOpen(dir)
	c1, _ := r.CommitObject(h1)
	c2, _ := r.CommitObject(h2)
	if len(c2.ParentHashes) != 1 || c2.ParentHashes[0] != h1 {
		t.Errorf("parents = %v", c2.ParentHashes)
	}
	// Only the b blob and its ancestors changed.
	ch, err := object.DiffTree(mustTree(t, c1), mustTree(t, c2))
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 1 || ch[0].To.Name != "hosts/b/report.json" {
		t.Errorf("changes = %v", ch)
	}
	ta, _ := mustTree(t, c1).FindEntry("hosts/a")
	tb, _ := mustTree(t, c2).FindEntry("hosts/a")
	if ta.Hash != tb.Hash {
		t.Error("untouched subtree was rewritten")
	}
	gitCheck(t, dir, "fsck", "--strict")
}

func mustTree(t *testing.T, c *object.Commit) *object.Tree {
	t.Helper()
	tr, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTreeOrdering(t *testing.T) {
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, true); err != nil {
		t.Fatal(err)
	}
	files := Files{
		"hosts/a.b/x":    []byte("1"),
		"hosts/a/x":      []byte("2"),
		"hosts/a-b/x":    []byte("3"),
		"hosts/a.json":   []byte("4"),
		"hosts/a0":       []byte("5"),
		"hosts/a/x.json": []byte("6"),
	}
	h, _, err := Write(dir, "reports", files, testCommit("order"))
	if err != nil {
		t.Fatal(err)
	}
	got := treeFiles(t, dir, h)
	for p, v := range files {
		if got[p] != string(v) {
			t.Errorf("%s = %q, want %q", p, got[p], v)
		}
	}
	r, _ := git.PlainOpen(dir)
	c, _ := r.CommitObject(h)
	hosts, err := mustTree(t, c).Tree("hosts")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range hosts.Entries {
		names = append(names, e.Name)
	}
	// Git order: "a-b/" < "a.b/" < "a.json" < "a/" < "a0".
	if strings.Join(names, " ") != "a-b a.b a.json a a0" {
		t.Errorf("entries = %v", names)
	}
	gitCheck(t, dir, "fsck", "--strict")
	if out := gitCheck(t, dir, "ls-tree", "-r", "--name-only", "reports"); out != "" && len(strings.Fields(out)) != len(files) {
		t.Errorf("git ls-tree = %q", out)
	}
}

func TestWriteRejectsBadPaths(t *testing.T) {
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, true); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"", "/a", "a//b", "a/../b", ".git/config", "a/"} {
		if _, _, err := Write(dir, "reports", Files{p: []byte("x")}, testCommit("bad")); err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	if _, _, err := Write(dir, "reports", Files{"a": []byte("1"), "a/b": []byte("2")}, testCommit("bad")); err == nil {
		t.Error("file/dir clash accepted")
	}
}

// clone makes a non-bare clone of remote with its own "origin".
func clone(t *testing.T, remote string) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, false); err != nil {
		t.Fatal(err)
	}
	r, _ := git.PlainOpen(dir)
	if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{remote}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func noSleep(slept *[]time.Duration) Option {
	return WithSleep(func(_ context.Context, d time.Duration) error {
		*slept = append(*slept, d)
		return nil
	})
}

func TestSyncTwoWritersNonFastForward(t *testing.T) {
	ctx := context.Background()
	remote := t.TempDir()
	if _, err := git.PlainInit(remote, true); err != nil {
		t.Fatal(err)
	}
	a, b := clone(t, remote), clone(t, remote)

	// Both writers see an existing branch first.
	var slept []time.Duration
	h0, changed, err := Sync(ctx, a, "origin", "reports", Files{"SUMMARY.md": []byte("0")}, testCommit("init"), noSleep(&slept))
	if err != nil || !changed {
		t.Fatalf("initial Sync = %v, %v", changed, err)
	}
	if got := branchHead(t, remote, "reports"); got != h0 {
		t.Fatalf("remote at %s, want %s", got, h0)
	}

	var hA plumbing.Hash
	pushes := 0
	hook := func(o *options) {
		o.beforePush = func(attempt int) {
			pushes++
			if attempt == 0 {
				// B has fetched and built; A pushes first.
				var err error
				hA, _, err = Sync(ctx, a, "origin", "reports", Files{"hosts/a/report.json": []byte("a")}, testCommit("A"))
				if err != nil {
					t.Errorf("Sync A: %v", err)
				}
			}
		}
	}
	hB, changed, err := Sync(ctx, b, "origin", "reports", Files{"hosts/b/report.json": []byte("b")}, testCommit("B"), noSleep(&slept), hook)
	if err != nil || !changed {
		t.Fatalf("Sync B = %v, %v", changed, err)
	}
	if pushes != 2 || len(slept) != 1 || slept[0] != 200*time.Millisecond {
		t.Errorf("pushes = %d, sleeps = %v; want 2 pushes, one 200ms sleep", pushes, slept)
	}
	if got := branchHead(t, remote, "reports"); got != hB {
		t.Fatalf("remote at %s, want B's %s", got, hB)
	}
	if got := branchHead(t, b, "reports"); got != hB {
		t.Errorf("B's local branch at %s, want %s", got, hB)
	}
	got := treeFiles(t, remote, hB)
	if got["hosts/a/report.json"] != "a" || got["hosts/b/report.json"] != "b" || got["SUMMARY.md"] != "0" || len(got) != 3 {
		t.Errorf("remote tree = %v", got)
	}
	r, _ := git.PlainOpen(remote)
	cB, _ := r.CommitObject(hB)
	if len(cB.ParentHashes) != 1 || cB.ParentHashes[0] != hA {
		t.Errorf("B's parents = %v, want [%s]", cB.ParentHashes, hA)
	}
	cA, _ := r.CommitObject(hA)
	if len(cA.ParentHashes) != 1 || cA.ParentHashes[0] != h0 {
		t.Errorf("A's parents = %v, want [%s]", cA.ParentHashes, h0)
	}
	if ok, err := cA.IsAncestor(cB); err != nil || !ok {
		t.Errorf("A is not an ancestor of the final head: %v", err)
	}
	gitCheck(t, remote, "fsck", "--strict")

	// 6. Unchanged Sync: no commit, no push.
	pushes = 0
	noPush := func(o *options) { o.beforePush = func(int) { pushes++ } }
	h, changed, err := Sync(ctx, a, "origin", "reports", Files{"hosts/a/report.json": []byte("a")}, testCommit("again"), noPush)
	if err != nil || changed || h != hB || pushes != 0 {
		t.Errorf("unchanged Sync = %v, %v, %v, pushes %d; want %v, false", h, changed, err, pushes, hB)
	}
	if got := branchHead(t, a, "reports"); got != hB {
		t.Errorf("A's local branch at %s, want %s", got, hB)
	}
}

func TestPushRejectedIsNonFastForward(t *testing.T) {
	ctx := context.Background()
	remote := t.TempDir()
	if _, err := git.PlainInit(remote, true); err != nil {
		t.Fatal(err)
	}
	a, b := clone(t, remote), clone(t, remote)
	if _, _, err := Sync(ctx, a, "origin", "reports", Files{"x": []byte("a")}, testCommit("A")); err != nil {
		t.Fatal(err)
	}
	// B commits locally without fetching and pushes without force.
	if _, _, err := Write(b, "reports", Files{"y": []byte("b")}, testCommit("B")); err != nil {
		t.Fatal(err)
	}
	r, _ := git.PlainOpen(b)
	err := r.PushContext(ctx, &git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/heads/reports:refs/heads/reports"}})
	if err == nil || !isNonFastForward(err) {
		t.Fatalf("push error = %v, want non-fast-forward", err)
	}
}

func TestSyncGivesUp(t *testing.T) {
	ctx := context.Background()
	remote := t.TempDir()
	if _, err := git.PlainInit(remote, true); err != nil {
		t.Fatal(err)
	}
	a, b := clone(t, remote), clone(t, remote)
	var slept []time.Duration
	n := 0
	race := func(o *options) {
		o.beforePush = func(int) {
			n++
			if _, _, err := Sync(ctx, a, "origin", "reports", Files{"a": []byte{byte(n)}}, testCommit("A")); err != nil {
				t.Errorf("Sync A: %v", err)
			}
		}
	}
	_, _, err := Sync(ctx, b, "origin", "reports", Files{"b": []byte("b")}, testCommit("B"), noSleep(&slept), race)
	if err == nil || !strings.Contains(err.Error(), "rejected 5 times") {
		t.Fatalf("err = %v", err)
	}
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond}
	if len(slept) != len(want) {
		t.Fatalf("slept %v, want %v", slept, want)
	}
	for i := range want {
		if slept[i] != want[i] {
			t.Errorf("slept %v, want %v", slept, want)
		}
	}
}

// TestWriteRemoves deletes listed paths, and directories they leave
// empty, keeping the rest; removing what is not there changes nothing.
func TestWriteRemoves(t *testing.T) {
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Write(dir, "reports", Files{
		"html/index.html":         []byte("i1"),
		"html/hosts/a.html":       []byte("a"),
		"html/hosts/b.html":       []byte("b"),
		"html/clients/acme.html":  []byte("acme"),
		"html/clients/notes.html": []byte("not tend's"),
		"summary.json":            []byte("s1"),
	}, testCommit("one")); err != nil {
		t.Fatal(err)
	}
	c := testCommit("two")
	c.Remove = []string{"html/hosts/a.html", "html/hosts/b.html", "html/clients/acme.html", "html/index.html", "gone/x.html", "html/hosts/a.html/y"}
	h, changed, err := Write(dir, "reports", Files{"html/index.html": []byte("i2")}, c)
	if err != nil || !changed {
		t.Fatalf("Write = %v, %v", changed, err)
	}
	got := treeFiles(t, dir, h)
	want := map[string]string{"html/index.html": "i2", "html/clients/notes.html": "not tend's", "summary.json": "s1"}
	if len(got) != len(want) {
		t.Errorf("tree = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	r, _ := git.PlainOpen(dir)
	cm, _ := r.CommitObject(h)
	if _, err := mustTree(t, cm).FindEntry("html/hosts"); err == nil {
		t.Error("html/hosts is left, empty")
	}
	gitCheck(t, dir, "fsck", "--strict")
	c.Remove = []string{"html/hosts/a.html", "nothing/here"}
	if h2, changed, err := Write(dir, "reports", Files{"html/index.html": []byte("i2")}, c); err != nil || changed || h2 != h {
		t.Errorf("removing what is gone: %v %v %v", h2, changed, err)
	}
	c.Remove = []string{"../x"}
	if _, _, err := Write(dir, "reports", Files{}, c); err == nil {
		t.Error("a bad path to remove was accepted")
	}
}

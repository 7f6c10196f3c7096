package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

var started = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

func testIntent(host string) Intent {
	return Intent{
		Host: host, Provider: "apt", Policy: "security", ConfigCommit: "9f2c123",
		Actions: []model.ProviderAction{
			{ID: host + "/apt/openssl", Type: "upgrade", Package: "openssl", From: "3.0.1", To: "3.0.2"},
			{ID: host + "/apt/curl", Type: "install", Package: "curl", To: "8.5.0"},
		},
		StartedAt: started,
	}
}

func ok(host string) []model.ActionResult {
	return []model.ActionResult{{ActionID: host + "/apt/openssl", Status: "succeeded"}}
}

func open(t *testing.T, dir string) *Journal {
	t.Helper()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func begin(t *testing.T, j *Journal, in Intent) uint64 {
	t.Helper()
	seq, err := j.Begin(in)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func finish(t *testing.T, j *Journal, seq uint64) {
	t.Helper()
	if err := j.Finish(seq, ok("h")); err != nil {
		t.Fatal(err)
	}
}

func seqs(in []Intent) []uint64 {
	var out []uint64
	for _, i := range in {
		out = append(out, i.Seq)
	}
	return out
}

// lines decodes every line of dir's journal, failing on any bad one.
func lines(t *testing.T, dir string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, fileName))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for i, l := range strings.SplitAfter(string(b), "\n") {
		if l == "" {
			continue
		}
		if !strings.HasSuffix(l, "\n") {
			t.Fatalf("line %d has no newline: %q", i+1, l)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		out = append(out, m)
	}
	return out
}

func TestBeginFinish(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	j := open(t, dir)
	in := testIntent("web_1")
	seq := begin(t, j, in)
	if seq != 1 {
		t.Fatalf("seq = %d, want 1", seq)
	}
	in.Seq = 1
	if diff := cmp.Diff([]Intent{in}, j.Pending()); diff != "" {
		t.Errorf("Pending (-want +got):\n%s", diff)
	}
	if err := j.Finish(seq, ok("web_1")); err != nil {
		t.Fatal(err)
	}
	if p := j.Pending(); len(p) != 0 {
		t.Errorf("Pending after Finish = %v", p)
	}
	if err := j.Finish(seq, ok("web_1")); err == nil {
		t.Error("second Finish succeeded")
	}
	if err := j.Finish(42, nil); err == nil {
		t.Error("Finish of an unknown seq succeeded")
	}

	got := lines(t, dir)
	if len(got) != 2 || got[0]["type"] != "intent" || got[1]["type"] != "result" {
		t.Fatalf("lines = %v", got)
	}
	for i, l := range got {
		if l["format_version"] != 1.0 || l["seq"] != 1.0 {
			t.Errorf("line %d = %v", i+1, l)
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode: %v %v", fi.Mode(), err)
	}

	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Begin(in); !errors.Is(err, ErrClosed) {
		t.Errorf("Begin after Close: %v", err)
	}
	j = open(t, dir)
	if p := j.Pending(); len(p) != 0 {
		t.Errorf("Pending after reopen = %v", p)
	}
	if seq := begin(t, j, in); seq != 2 {
		t.Errorf("seq after reopen = %d, want 2", seq)
	}
}

func TestPendingAfterReopen(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	for _, h := range []string{"a", "b", "c", "d"} {
		begin(t, j, testIntent(h))
	}
	finish(t, j, 1)
	finish(t, j, 3)
	j.Close()

	j = open(t, dir)
	want := []Intent{testIntent("b"), testIntent("d")}
	want[0].Seq, want[1].Seq = 2, 4
	if diff := cmp.Diff(want, j.Pending()); diff != "" {
		t.Errorf("Pending (-want +got):\n%s", diff)
	}
}

func TestTornLastLine(t *testing.T) {
	for name, torn := range map[string]string{
		"result":  `{"type":"result","format_version":1,"seq":2,"resu`,
		"intent":  `{"type":"intent","format_version":1,"seq":3,"host":"x"}`, // no newline yet
		"garbage": "\x00\x00\x00\x00\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			j := open(t, dir)
			begin(t, j, testIntent("a"))
			begin(t, j, testIntent("b"))
			finish(t, j, 1)
			j.Close()
			appendFile(t, filepath.Join(dir, fileName), torn)

			j = open(t, dir)
			if got := seqs(j.Pending()); !cmp.Equal(got, []uint64{2}) {
				t.Errorf("Pending = %v, want [2]", got)
			}
			if seq := begin(t, j, testIntent("c")); seq != 3 {
				t.Errorf("seq = %d, want 3", seq)
			}
			j.Close()
			if n := len(lines(t, dir)); n != 4 {
				t.Errorf("%d lines, want 4", n)
			}
			j = open(t, dir)
			if got := seqs(j.Pending()); !cmp.Equal(got, []uint64{2, 3}) {
				t.Errorf("Pending after reopen = %v, want [2 3]", got)
			}
		})
	}
}

func TestCorruptLine(t *testing.T) {
	for name, bad := range map[string]string{
		"not json":       "{not json\n",
		"format version": `{"type":"intent","format_version":2,"seq":9}` + "\n",
		"unknown type":   `{"type":"bogus","format_version":1,"seq":9}` + "\n",
		"duplicate":      `{"type":"intent","format_version":1,"seq":1}` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			j := open(t, dir)
			begin(t, j, testIntent("a"))
			j.Close()
			path := filepath.Join(dir, fileName)
			appendFile(t, path, bad)
			appendFile(t, path, `{"type":"result","format_version":1,"seq":1}`+"\n")

			for range 2 { // a failed Open releases the lock
				_, err := Open(dir)
				if err == nil || !strings.Contains(err.Error(), "line 2") {
					t.Fatalf("Open: %v, want an error naming line 2", err)
				}
			}
		})
	}
}

func TestCompact(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	for _, h := range []string{"a", "b", "c"} {
		begin(t, j, testIntent(h))
	}
	finish(t, j, 1)
	finish(t, j, 3)
	if err := j.Compact(); err != nil {
		t.Fatal(err)
	}
	if got := lines(t, dir); len(got) != 2 || got[0]["type"] != "checkpoint" || got[1]["seq"] != 2.0 {
		t.Fatalf("compacted lines = %v", got)
	}
	if seq := begin(t, j, testIntent("d")); seq != 4 { // appends to the new file
		t.Errorf("seq = %d, want 4", seq)
	}
	finish(t, j, 4)
	j.Close()

	j = open(t, dir)
	want := testIntent("b")
	want.Seq = 2
	if diff := cmp.Diff([]Intent{want}, j.Pending()); diff != "" {
		t.Errorf("Pending (-want +got):\n%s", diff)
	}
	finish(t, j, 2)
	if err := j.Compact(); err != nil {
		t.Fatal(err)
	}
	j.Close()

	j = open(t, dir) // nothing left but the checkpoint
	if seq := begin(t, j, testIntent("e")); seq != 5 {
		t.Errorf("seq after full compaction = %d, want 5", seq)
	}
	if _, err := os.Stat(filepath.Join(dir, tempName)); !os.IsNotExist(err) {
		t.Errorf("temp file left: %v", err)
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	begin(t, j, testIntent("a"))
	begin(t, j, testIntent("b"))
	j.Close() // as if the daemon died mid-apply

	j = open(t, dir)
	res := []model.ActionResult{{ActionID: "a/apt/openssl", Status: "interrupted", Message: "tend serve restarted"}}
	if err := j.Resolve(1, res); err != nil {
		t.Fatal(err)
	}
	check := func(j *Journal) {
		t.Helper()
		got := j.Recovered()
		if len(got) != 1 || got[0].Intent.Seq != 1 || got[0].Intent.Host != "a" || !cmp.Equal(got[0].Results, res) || got[0].At.IsZero() {
			t.Errorf("Recovered = %+v", got)
		}
		if p := seqs(j.Pending()); !cmp.Equal(p, []uint64{2}) {
			t.Errorf("Pending = %v, want [2]", p)
		}
	}
	check(j)
	j.Close()
	j = open(t, dir)
	check(j) // survives a restart before Compact
	if err := j.Compact(); err != nil {
		t.Fatal(err)
	}
	if r := j.Recovered(); len(r) != 0 {
		t.Errorf("Recovered after Compact = %v", r)
	}
	j.Close()
	j = open(t, dir)
	if r := j.Recovered(); len(r) != 0 {
		t.Errorf("Recovered after Compact and reopen = %v", r)
	}
}

// TestFinishedUntilCompact: finished applies stay listed, with their run,
// across restarts until Compact (the daemon compacts once their reports
// are on the remote), so a run that could not push its reports does not
// lose them.
func TestFinishedUntilCompact(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	in := testIntent("a")
	in.Run = "run-1"
	seq := begin(t, j, in)
	res := []model.ActionResult{{ActionID: "a/apt/openssl", Status: "failed", Message: "dpkg said no"}}
	if err := j.Finish(seq, res); err != nil {
		t.Fatal(err)
	}
	j.Close()

	j = open(t, dir)
	got := j.Finished()
	if len(got) != 1 || got[0].Intent.Run != "run-1" || got[0].Intent.Host != "a" || got[0].Recovered ||
		!cmp.Equal(got[0].Results, res) || got[0].At.IsZero() {
		t.Fatalf("Finished after reopen = %+v", got)
	}
	if r := j.Recovered(); len(r) != 0 {
		t.Errorf("Recovered = %+v; Finish is no recovery", r)
	}
	if err := j.Compact(); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j = open(t, dir)
	if f := j.Finished(); len(f) != 0 {
		t.Errorf("Finished after Compact = %+v", f)
	}
}

func TestConcurrent(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	const n = 50
	got := make([]uint64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			host := fmt.Sprintf("web_%d", i)
			seq, err := j.Begin(testIntent(host))
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = seq
			_ = j.Pending()
			if err := j.Finish(seq, ok(host)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	j.Close()

	seen := map[uint64]bool{}
	for _, s := range got {
		if s == 0 || seen[s] {
			t.Errorf("seq %d zero or repeated in %v", s, got)
		}
		seen[s] = true
	}
	if l := len(lines(t, dir)); l != 2*n {
		t.Errorf("%d lines, want %d", l, 2*n)
	}
	j = open(t, dir)
	if p := j.Pending(); len(p) != 0 {
		t.Errorf("Pending = %v", seqs(p))
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	_, err := Open(dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if msg := err.Error(); !strings.Contains(msg, dir) || !strings.Contains(msg, fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("error %q names neither the dir nor our pid", msg)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	open(t, dir)
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

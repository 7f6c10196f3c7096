package conformance

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/plugins/sdk"
)

// scripted answers each command from a list, in order, and records what
// it was asked.
type scripted struct {
	answers []func(sdk.Cmd) (sdk.Result, error)
	asked   []sdk.Cmd
}

func (s *scripted) Run(_ context.Context, c sdk.Cmd) (sdk.Result, error) {
	s.asked = append(s.asked, c)
	next := s.answers[0]
	s.answers = s.answers[1:]
	return next(c)
}

func answer(stdout string, code int) func(sdk.Cmd) (sdk.Result, error) {
	return func(sdk.Cmd) (sdk.Result, error) { return sdk.Result{Stdout: []byte(stdout), ExitCode: code}, nil }
}

func TestRecordAndReplay(t *testing.T) {
	dir := t.TempDir()
	root := "/tmp/some-root-dir"
	foreign := filepath.Join(dir, "config.json")
	if err := os.WriteFile(foreign, []byte(`{"not": "a fixture"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRecorder(&scripted{}, dir, nil); err == nil || !strings.Contains(err.Error(), "not removing it") {
		t.Errorf("NewRecorder in a directory with other JSON files: err = %v", err)
	}
	if err := os.Remove(foreign); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "stale.json")
	if err := os.WriteFile(stale, []byte(`{"argv": ["old"], "results": [{"exit_code": 0}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	binary := []byte{0xff, 0xfe, 0x00, 'x'}
	inner := &scripted{answers: []func(sdk.Cmd) (sdk.Result, error){
		answer("v1 in "+root+"/state\n", 0),
		answer("v2 in "+root+"/state\n", 0),
		func(sdk.Cmd) (sdk.Result, error) {
			return sdk.Result{Stdout: binary, Stderr: []byte("warn\n"), ExitCode: 3}, nil
		},
		func(sdk.Cmd) (sdk.Result, error) { return sdk.Result{}, errors.New("cannot run frob in " + root) },
	}}
	rec, err := NewRecorder(inner, dir, map[string]string{"ROOT": root})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("NewRecorder left the stale fixture: %v", err)
	}
	ctx := context.Background()
	cat := sdk.Cmd{Argv: []string{"cat", root + "/state"}}
	tee := sdk.Cmd{Argv: []string{"tee", root + "/x"}, Stdin: binary, Env: []string{"LANG=C"}}
	frob := sdk.Cmd{Argv: []string{"/usr/bin/frob"}, Stdin: []byte("in " + root)}
	for _, c := range []sdk.Cmd{cat, cat, tee, frob} {
		rec.Run(ctx, c)
	}
	if rec.recorded() != 4 {
		t.Errorf("recorded %d runs, want 4", rec.recorded())
	}

	// The files are readable, with ${ROOT} for the root and base64 only
	// for bytes that are not text.
	data, err := os.ReadFile(filepath.Join(dir, command{Argv: []string{"cat", "${ROOT}/state"}}.fileName()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"${ROOT}/state"`) || !strings.Contains(string(data), `"stdout": "v2 in ${ROOT}/state\n"`) {
		t.Errorf("cat fixture =\n%s", data)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var names []string
	for _, p := range paths {
		names = append(names, strings.SplitN(filepath.Base(p), "-", 2)[0])
	}
	if strings.Join(names, " ") != "cat frob tee" {
		t.Errorf("fixture files = %v", paths)
	}
	teeData, _ := os.ReadFile(filepath.Join(dir, (placeholders{}).command(sdk.Cmd{Argv: []string{"tee", "${ROOT}/x"}, Stdin: binary, Env: []string{"LANG=C"}}).fileName()))
	if !strings.Contains(string(teeData), `"stdin_base64": "//4AeA=="`) || !strings.Contains(string(teeData), `"stdout_base64": "//4AeA=="`) || !strings.Contains(string(teeData), `"stderr": "warn\n"`) {
		t.Errorf("tee fixture =\n%s", teeData)
	}

	// Replay under another root: the n-th run gets the n-th result, then
	// the last repeats; outputs and errors carry this run's root.
	root2 := "/tmp/another-root"
	rp, err := Replay(dir, map[string]string{"ROOT": root2})
	if err != nil {
		t.Fatal(err)
	}
	move := func(c sdk.Cmd) sdk.Cmd {
		for i, a := range c.Argv {
			c.Argv[i] = strings.ReplaceAll(a, root, root2)
		}
		c.Stdin = []byte(strings.ReplaceAll(string(c.Stdin), root, root2))
		return c
	}
	cat2 := move(sdk.Cmd{Argv: []string{"cat", root + "/state"}})
	for i, want := range []string{"v1 in " + root2 + "/state\n", "v2 in " + root2 + "/state\n", "v2 in " + root2 + "/state\n"} {
		res, err := rp.Run(ctx, cat2)
		if err != nil || string(res.Stdout) != want {
			t.Errorf("replayed cat #%d = %q, %v; want %q", i+1, res.Stdout, err, want)
		}
	}
	res, err := rp.Run(ctx, move(sdk.Cmd{Argv: []string{"tee", root + "/x"}, Stdin: binary, Env: []string{"LANG=C"}}))
	if diff := cmp.Diff(sdk.Result{Stdout: binary, Stderr: []byte("warn\n"), ExitCode: 3}, res); err != nil || diff != "" {
		t.Errorf("replayed tee: err %v, (-want +got):\n%s", err, diff)
	}
	if _, err := rp.Run(ctx, move(sdk.Cmd{Argv: []string{"/usr/bin/frob"}, Stdin: []byte("in " + root)})); err == nil || err.Error() != "cannot run frob in "+root2 {
		t.Errorf("replayed frob: err = %v", err)
	}
	if m := rp.takeMisses(); len(m) != 0 {
		t.Errorf("misses = %v", m)
	}

	// A command never recorded is an error that names it and says how to
	// record; the kit reports it too.
	_, err = rp.Run(ctx, sdk.Cmd{Argv: []string{"cat", root2 + "/other"}})
	if err == nil || !strings.Contains(err.Error(), `["cat" "${ROOT}/other"]`) || !strings.Contains(err.Error(), EnvRecord+"=1") {
		t.Errorf("unrecorded command: err = %v", err)
	}
	if m := rp.takeMisses(); len(m) != 1 || !strings.Contains(m[0], "other") {
		t.Errorf("misses = %v", m)
	}
}

func TestReadFixturesRejects(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"unknown field": {"a.json": `{"argv": ["x"], "results": [{"exit_code": 0}], "stdot": "typo"}`},
		"no results":    {"a.json": `{"argv": ["x"], "results": []}`},
		"duplicate":     {"a.json": `{"argv": ["x"], "results": [{}]}`, "b.json": `{"argv": ["x"], "results": [{}]}`},
	} {
		dir := t.TempDir()
		for f, content := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Replay(dir, nil); err == nil {
			t.Errorf("%s: Replay succeeded", name)
		}
	}
	if _, err := Replay(filepath.Join(t.TempDir(), "missing"), nil); err == nil || !strings.Contains(err.Error(), "no fixtures") {
		t.Errorf("missing dir: err = %v", err)
	}
	if _, err := Replay(t.TempDir(), map[string]string{"ROOT": ""}); err == nil {
		t.Error("empty placeholder value: want an error")
	}
}

func TestPlaceholdersNested(t *testing.T) {
	ph, err := newPlaceholders(map[string]string{"ROOT": "/tmp/r", "STATE": "/tmp/r/state"})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(ph.hide([]byte("/tmp/r/state and /tmp/r/x"))); got != "${STATE} and ${ROOT}/x" {
		t.Errorf("hide = %q", got)
	}
	if got := string(ph.show([]byte("${STATE} and ${ROOT}/x"))); got != "/tmp/r/state and /tmp/r/x" {
		t.Errorf("show = %q", got)
	}
}

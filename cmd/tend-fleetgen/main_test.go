package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fleet")
	var stderr bytes.Buffer
	code := run([]string{"-hosts", "1001", "-installed", "3", "-available", "1", "-seed", "9", "-out", dir}, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	want := "1000/1001 hosts\nwrote 1001 hosts to " + dir + "\n"
	if got := stderr.String(); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	for _, name := range []string{"config/fleet.tend.hcl", "config/hosts.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	snaps, err := os.ReadDir(filepath.Join(dir, "snapshots"))
	if err != nil || len(snaps) != 1001 {
		t.Errorf("snapshots: %d entries, error %v; want 1001", len(snaps), err)
	}
}

func TestRunUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage: tend-fleetgen -out DIR"},
		{[]string{"-hosts", "x", "-out", "d"}, 2, "invalid value"},
		{[]string{"-out", t.TempDir(), "extra"}, 2, "usage:"},
		{[]string{"-hosts", "0", "-out", t.TempDir()}, 1, "hosts must be at least 1"},
	} {
		var stderr bytes.Buffer
		if code := run(tc.args, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
}

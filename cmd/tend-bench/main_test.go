package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMeasureAndTable: two real commands measured over three rounds make
// one row of medians, which -table writes between the markers of a doc.
func TestMeasureAndTable(t *testing.T) {
	dir := t.TempDir()
	rows := filepath.Join(dir, "rows.jsonl")
	var stderr bytes.Buffer
	args := []string{"-rows", rows, "-rounds", "3", "-name", "busy", "-goal", "≤ 1.0", "-dir", dir,
		"-setup", "echo x >> setups", "-a", "seq 200000 | sort -n > /dev/null", "-b", "true", "-baseline", "true"}
	if code := run(args, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(rows)
	if err != nil {
		t.Fatal(err)
	}
	var r row
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if r.Name != "busy" || r.Rounds != 3 || r.Tend.CPU <= 0 || r.Tend.RSS <= 0 || r.Base.RSS <= 0 || r.Tend.Wall <= 0 {
		t.Errorf("row = %+v", r)
	}
	if setups, _ := os.ReadFile(filepath.Join(dir, "setups")); strings.Count(string(setups), "x") != 6 {
		t.Errorf("setup ran %d times, want before each of 6 runs", strings.Count(string(setups), "x"))
	}
	if got := strings.Count(stderr.String(), "round "); got != 6 {
		t.Errorf("%d runs logged, want 6 (A B interleaved, 3 rounds):\n%s", got, stderr.String())
	}

	doc := filepath.Join(dir, "doc.md")
	os.WriteFile(doc, []byte("# B\n\n"+beginMarker+"\nold\n"+endMarker+"\nafter\n"), 0o644)
	if code := run([]string{"-table", rows, "-doc", doc}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("-table: exit %d: %s", code, stderr.String())
	}
	out, _ := os.ReadFile(doc)
	if s := string(out); strings.Contains(s, "old") || !strings.Contains(s, "| busy | ") || !strings.HasSuffix(s, endMarker+"\nafter\n") {
		t.Errorf("doc = %s", s)
	}
}

// TestFailingCommand: a failing pipeline stage fails the benchmark.
func TestFailingCommand(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	args := []string{"-rows", filepath.Join(dir, "rows"), "-name", "n", "-dir", dir, "-a", "false | cat", "-b", "true"}
	if code := run(args, &bytes.Buffer{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "false | cat") {
		t.Errorf("exit %d, stderr %s; want 1 naming the command", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "rows")); err == nil {
		t.Errorf("a row was written for a failed benchmark")
	}
}

// TestIdeal: with -ideal only the tend command runs, and the ratio is its
// median wall time over the ideal; the table says so.
func TestIdeal(t *testing.T) {
	dir := t.TempDir()
	rows := filepath.Join(dir, "rows.jsonl")
	var stderr bytes.Buffer
	args := []string{"-rows", rows, "-rounds", "3", "-name", "replayed", "-dir", dir,
		"-a", "sleep 0.2", "-ideal", "0.1", "-baseline", "ideal: 0.1 s"}
	if code := run(args, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := strings.Count(stderr.String(), "round "); got != 3 {
		t.Errorf("%d runs logged, want 3 (no baseline command):\n%s", got, stderr.String())
	}
	data, err := os.ReadFile(rows)
	if err != nil {
		t.Fatal(err)
	}
	var r row
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if r.Ideal != 0.1 || r.Ratio != r.Tend.Wall/0.1 || r.Ratio <= 1 {
		t.Errorf("row = %+v; want the ratio of the wall time (over 0.2 s) to 0.1 s", r)
	}
	var table bytes.Buffer
	if code := run([]string{"-table", rows}, &table, &stderr); code != 0 {
		t.Fatalf("-table: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(table.String(), "| replayed | ") || !strings.Contains(table.String(), "(wall)") {
		t.Errorf("table = %s", table.String())
	}
	if code := run([]string{"-rows", rows, "-name", "n", "-a", "true", "-b", "true", "-ideal", "1"}, &bytes.Buffer{}, &stderr); code != 2 {
		t.Errorf("-b with -ideal: exit %d, want 2 (usage)", code)
	}
}

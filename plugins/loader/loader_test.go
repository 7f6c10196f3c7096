package loader

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/plugins/sdk"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// testProvider builds internal/testprovider once per test run and returns a
// private copy of the binary.
func testProvider(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "tend-loader-test")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(buildDir, BinaryPrefix+"test"), "./internal/testprovider").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building the test provider: %v", buildErr)
	}
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(buildDir, BinaryPrefix+"test"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, BinaryPrefix+"test")
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMain(m *testing.M) {
	if path := os.Getenv(envHelperProvider); path != "" {
		os.Exit(helperLaunch(path, os.Getenv(envHelperPidFile)))
	}
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func launch(t *testing.T, path string) (*Provider, *bytes.Buffer) {
	t.Helper()
	sum, err := Checksum(path)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := logrus.New()
	logger.SetOutput(&logs)
	logger.SetLevel(logrus.DebugLevel)
	p, err := Launch(Options{Name: "test", Path: path, Checksum: sum, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, &logs
}

func TestRoundTrip(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	ctx := context.Background()
	sc, err := p.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "test" || sc.Version != "1.2.3" || sc.Attributes[0].Name != "greeting" {
		t.Errorf("schema = %+v", sc)
	}
	if err := p.Configure(ctx, map[string]any{"greting": "hi"}); err == nil || !strings.Contains(err.Error(), `has no attribute "greting"`) {
		t.Errorf("Configure with a typo: err = %v", err)
	}
	if err := p.Configure(ctx, map[string]any{"greeting": 1}); err == nil || !strings.Contains(err.Error(), "must be of type string") {
		t.Errorf("Configure with a wrong type: err = %v", err)
	}
	if err := p.Configure(ctx, map[string]any{"greeting": "hello"}); err != nil {
		t.Fatal(err)
	}
	inv, warns, err := p.Scan(ctx, "web_1", []string{"a"}, local.Runner{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Facts["said"] != "hello web_1" || inv.Available[0].To != "2" || inv.Versions["a"][1] != "2" || warns[0] != "pins: a" {
		t.Errorf("scan = %+v %v", inv, warns)
	}
	var events []string
	results, err := p.Apply(ctx, "web_1", []sdk.Action{{ID: "web_1/test/a", Type: "upgrade", Package: "a", From: "1", To: "2"}, {ID: "web_1/test/forget", Package: "forget"}},
		nil, local.Runner{}, func(pr sdk.Progress) { events = append(events, pr.Message) })
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[0].Status != sdk.StatusSucceeded || results[1].Status != sdk.StatusFailed || !strings.Contains(results[1].Message, "no result") {
		t.Errorf("results = %+v", results)
	}
	if strings.Join(events, "|") != "working on a|working on forget" {
		t.Errorf("progress = %v", events)
	}
}

func TestChecksumMismatch(t *testing.T) {
	path := testProvider(t)
	locked, err := Checksum(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("tampered"))
	f.Close()
	actual, _ := Checksum(path)
	_, err = Launch(Options{Name: "test", Path: path, Checksum: locked})
	var ce *ChecksumError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), locked) || !strings.Contains(err.Error(), actual) {
		t.Fatalf("err = %v; want a ChecksumError naming %s and %s", err, locked, actual)
	}
}

func TestCrashDuringApply(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	done := make(chan struct{})
	var results []sdk.ActionResult
	var err error
	go func() {
		defer close(done)
		results, err = p.Apply(context.Background(), "web_1", []sdk.Action{{ID: "x/test/crash", Package: "crash"}, {ID: "x/test/b", Package: "b"}}, nil, local.Runner{}, nil)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Apply hung after the provider crashed")
	}
	if err == nil || !strings.Contains(err.Error(), "crashed") {
		t.Errorf("err = %v; want it to say the provider crashed", err)
	}
	if len(results) != 2 || results[0].Status != sdk.StatusFailed || results[1].Status != sdk.StatusFailed {
		t.Errorf("results = %+v; want both failed", results)
	}
}

func TestCancelDuringApply(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	go func() {
		<-started
		cancel()
	}()
	results, err := p.Apply(ctx, "web_1", []sdk.Action{{ID: "x/test/hang", Package: "hang"}}, nil, local.Runner{},
		func(sdk.Progress) { close(started) })
	if err == nil || results[0].Status != sdk.StatusInterrupted {
		t.Errorf("err = %v, results = %+v; want interrupted", err, results)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, BinaryPrefix+"apt")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, BinaryPrefix+"noexec"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := Find("apt", []string{t.TempDir(), dir}); err != nil || got != path {
		t.Errorf("Find = %q, %v", got, err)
	}
	if _, err := Find("noexec", []string{dir}); !errors.Is(err, ErrNotFound) {
		t.Errorf("non-executable: err = %v", err)
	}
	if _, err := Find("../x", []string{dir}); err == nil {
		t.Error("path in name: want error")
	}
	if got := Available([]string{dir}); len(got) != 1 || got["apt"] != path {
		t.Errorf("Available = %v", got)
	}
	t.Setenv(EnvPluginDir, dir)
	if dirs := SearchDirs("conf"); dirs[0] != dir || dirs[1] != filepath.Join("conf", ".tend", "providers") {
		t.Errorf("SearchDirs = %v", dirs)
	}
}

func TestStopKeepsFinishedResults(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results, err := p.Apply(ctx, "web_1", []sdk.Action{{ID: "x/test/a", Package: "a"}, {ID: "x/test/wait", Package: "wait"}}, nil, local.Runner{},
		func(pr sdk.Progress) {
			if pr.ActionID == "x/test/wait" {
				cancel()
			}
		})
	if err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Errorf("err = %v; want it to say the apply was stopped", err)
	}
	if len(results) != 2 || results[0].Status != sdk.StatusSucceeded || results[1].Status != sdk.StatusInterrupted || results[1].Message != "stopped" {
		t.Errorf("results = %+v; want the finished action succeeded and the stopped one interrupted by the provider", results)
	}
}

// TestKilledDuringApply kills the provider with SIGKILL mid-apply: the
// actions fail with a message saying the provider crashed, and Apply
// returns instead of hanging.
func TestKilledDuringApply(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	pid := p.Pid()
	if pid == 0 {
		t.Fatal("no pid")
	}
	done := make(chan struct{})
	var results []sdk.ActionResult
	var err error
	go func() {
		defer close(done)
		results, err = p.Apply(context.Background(), "web_1", []sdk.Action{{ID: "x/test/hang", Package: "hang"}}, nil, local.Runner{},
			func(sdk.Progress) { _ = syscall.Kill(pid, syscall.SIGKILL) })
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Apply hung after the provider was killed")
	}
	if err == nil || !strings.Contains(err.Error(), "crashed") || results[0].Status != sdk.StatusFailed {
		t.Errorf("err = %v, results = %+v; want a failed result saying the provider crashed", err, results)
	}
}

func TestLargeCommandOutput(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	ctx := context.Background()
	if err := p.Configure(ctx, map[string]any{"greeting": "big"}); err != nil {
		t.Fatal(err)
	}
	inv, _, err := p.Scan(ctx, "web_1", nil, local.Runner{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Facts["said"] != "10485760" {
		t.Errorf("the provider got %s bytes back, want 10485760", inv.Facts["said"])
	}
}

package apt

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/plugins/sdk"
)

func TestApplyArgv(t *testing.T) {
	before := "foo\t1.0\tall\tii \nbar\t2.0\tall\tii \nbaz\t1.0\tall\tii \nqux\t1.0\tall\thi \n"
	after := "foo\t1.1\tall\tii \nbar\t1.0\tall\tii \nbaz\t1.0\tall\thi \nqux\t1.0\tall\tii \nnew\t3.0\tamd64\tii \n"
	rec := &recorder{r: new(fake).
		on("cat", out("amd64\n")).
		on("dpkg-query", out(before), out(after)).
		on("madison", out("       bar |        1.0 | file:/repo stable/main all Packages\n")).
		on("install", out("Unpacking foo (1.1) over (1.0) ...\r\nSetting up foo (1.1) ...\r\nSetting up new:amd64 (3.0) ...\r\n"))}
	actions := []sdk.Action{
		{ID: "u", Type: "upgrade", Package: "foo", From: "1.0", To: "1.1"},
		{ID: "d", Type: "downgrade", Package: "bar", From: "2.0", To: "1.0"},
		{ID: "i", Type: "install", Package: "new:amd64", To: "3.0"},
		{ID: "h", Type: "hold", Package: "baz"},
		{ID: "x", Type: "unhold", Package: "qux"},
		{ID: "r", Type: "reboot"},
	}
	var events []sdk.Progress
	results, err := Apply(context.Background(), rec, Config{Root: "/ROOT"}, actions, nil, func(p sdk.Progress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	wantResults := []sdk.ActionResult{
		{ActionID: "u", Status: sdk.StatusSucceeded, Message: "foo 1.1 installed"},
		{ActionID: "d", Status: sdk.StatusSucceeded, Message: "bar 1.0 installed"},
		{ActionID: "i", Status: sdk.StatusSucceeded, Message: "new:amd64 3.0 installed"},
		{ActionID: "h", Status: sdk.StatusSucceeded, Message: "baz is on hold"},
		{ActionID: "x", Status: sdk.StatusSucceeded, Message: "qux is no longer on hold"},
		{ActionID: "r", Status: sdk.StatusSkipped, Message: "alternate root: nothing to reboot"},
	}
	if diff := cmp.Diff(wantResults, results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	query := argv("dpkg-query", "--admindir=/ROOT/var/lib/dpkg", "-W", "-f", statusFormat, "bar", "baz", "foo", "new:amd64", "qux")
	wantCalls := [][]string{
		{"cat", "/ROOT/var/lib/dpkg/arch"},
		query,
		argv("apt-mark", rootOpts, "unhold", "qux"),
		argv("apt-cache", rootOpts, "madison", "bar"),
		argv("apt-get", rootOpts, "-y", "-q", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
			"--allow-downgrades", "install", "foo=1.1", "bar=1.0", "new:amd64=3.0"),
		argv("apt-mark", rootOpts, "hold", "baz"),
		argv("dpkg-query", "--admindir=/ROOT/var/lib/dpkg", "-W", "-f", statusFormat, "bar", "baz", "foo", "new:amd64"),
	}
	if diff := cmp.Diff(wantCalls, rec.argvs()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	wantEvents := []sdk.Progress{
		{Message: "apt-mark unhold: qux"},
		{Message: "apt-get install: 3 packages"},
		{ActionID: "u", Message: "Unpacking foo (1.1) over (1.0)"},
		{ActionID: "u", Message: "Setting up foo (1.1)"},
		{ActionID: "i", Message: "Setting up new:amd64 (3.0)"},
		{Message: "apt-get install: done"},
		{Message: "apt-mark hold: baz"},
	}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

func TestApplyRunningSystem(t *testing.T) {
	rec := &recorder{r: new(fake).
		on("dpkg-query", out("foo\t1.0\tall\tii \n"), out("foo\t1.1\tall\tii \n"))}
	results, err := Apply(context.Background(), rec, Config{Root: "/"}, []sdk.Action{
		{ID: "r", Type: "reboot"},
		{ID: "u", Type: "upgrade", Package: "foo", To: "1.1"},
		{ID: "r2", Type: "reboot"},
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantCalls := [][]string{
		{"dpkg-query", "-W", "-f", statusFormat, "foo"},
		{"apt-get", "-y", "-q", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold", "install", "foo=1.1"},
		{"dpkg-query", "-W", "-f", statusFormat, "foo"},
		{"systemctl", "reboot"},
	}
	if diff := cmp.Diff(wantCalls, rec.argvs()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	for _, c := range rec.calls {
		if c.Cmd.Stdin != nil {
			t.Errorf("%s: stdin for root /", c.Cmd.Argv[0])
		}
	}
	for _, res := range results {
		if res.Status != sdk.StatusSucceeded {
			t.Errorf("%+v", res)
		}
	}
}

func TestApplyValidation(t *testing.T) {
	rec := &recorder{r: new(fake).
		on("dpkg-query", out("foo\t1.0\tall\tii \nbar\t1.0\tall\thi \nbaz\t1.0\tall\tii \n"), out("foo\t1.1\tall\tii \n"))}
	results, err := Apply(context.Background(), rec, Config{Root: "/"}, []sdk.Action{
		{ID: "name", Type: "upgrade", Package: "Foo", To: "1.1"},
		{ID: "option", Type: "upgrade", Package: "-oAPT::Get::AllowUnauthenticated=1", To: "1.1"},
		{ID: "version", Type: "upgrade", Package: "foo", To: "1.1;reboot"},
		{ID: "empty", Type: "install", Package: "foo"},
		{ID: "type", Type: "remove", Package: "foo"},
		{ID: "hold", Type: "hold", Package: "foo bar"},
		{ID: "ok", Type: "upgrade", Package: "foo", To: "1.1"},
		{ID: "twice", Type: "downgrade", Package: "foo", To: "0.9"},
		{ID: "held", Type: "upgrade", Package: "bar", To: "2.0"},
		{ID: "same", Type: "upgrade", Package: "baz", To: "1.0"},
		{ID: "notinstalled", Type: "hold", Package: "nosuch"},
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"name":         `failed: invalid package name "Foo"`,
		"option":       `failed: invalid package name "-oAPT::Get::AllowUnauthenticated=1"`,
		"version":      `failed: invalid Debian version "1.1;reboot": invalid character in version number`,
		"empty":        "failed: install of foo: no target version",
		"type":         `failed: unsupported action type "remove" (apt supports install, upgrade, downgrade, hold, unhold, reboot)`,
		"hold":         `failed: invalid package name "foo bar"`,
		"ok":           "succeeded: foo 1.1 installed",
		"twice":        `failed: foo is already changed by action "ok" in this request`,
		"held":         "failed: held: bar is on hold at 1.0; unhold it to change it",
		"same":         "skipped: baz is already at 1.0",
		"notinstalled": "failed: nosuch is not installed",
	}
	got := map[string]string{}
	for _, r := range results {
		got[r.ActionID] = string(r.Status) + ": " + r.Message
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	wantCalls := [][]string{
		{"dpkg-query", "-W", "-f", statusFormat, "bar", "baz", "foo", "nosuch"},
		{"apt-get", "-y", "-q", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold", "install", "foo=1.1"},
		{"dpkg-query", "-W", "-f", statusFormat, "foo"},
	}
	if diff := cmp.Diff(wantCalls, rec.argvs()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestValidPackage(t *testing.T) {
	for _, s := range []string{"foo", "g++", "libc6", "libc6:i386", "linux-image-6.1.0-27-amd64", "0ad", "libstdc++6:amd64", "python3.11"} {
		if err := validPackage(s); err != nil {
			t.Errorf("validPackage(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", "a", "Foo", "-foo", "+foo", ".foo", "foo bar", "foo=1.0", "foo:", "foo:i386:x", "foo/stable", "foo\n", "foo*", "foo:I386"} {
		if err := validPackage(s); err == nil {
			t.Errorf("validPackage(%q) = nil", s)
		}
	}
}

func TestApplyFailedTransaction(t *testing.T) {
	rec := &recorder{r: new(fake).
		on("dpkg-query", out("broken\t1.0\tall\tii \ngood\t1.0\tall\tii \n"), out("broken\t1.1\tall\tiF \ngood\t1.1\tall\tii \n")).
		on("install", sdk.Result{Stdout: []byte(testdata(t, "apt-get-install-broken.txt")), ExitCode: 100})}
	var events []sdk.Progress
	results, err := Apply(context.Background(), rec, Config{Root: "/"}, []sdk.Action{
		{ID: "b", Type: "upgrade", Package: "broken", To: "1.1"},
		{ID: "g", Type: "upgrade", Package: "good", To: "1.1"},
	}, nil, func(p sdk.Progress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	if results[1].Status != sdk.StatusSucceeded {
		t.Errorf("good: %+v", results[1])
	}
	if results[0].Status != sdk.StatusFailed ||
		!strings.HasPrefix(results[0].Message, "broken is 1.1 (half-configured), not 1.1 installed; apt-get install exited with status 100:\n") ||
		!strings.Contains(results[0].Message, "post-installation script subprocess returned error exit status 1") {
		t.Errorf("broken: %+v", results[0])
	}
	if last := events[len(events)-1]; last.Message != "apt-get install: failed (exit status 100)" {
		t.Errorf("last event = %+v", last)
	}
}

func TestApplyInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{r: new(fake).
		on("dpkg-query", out("foo\t1.0\tall\tii \n")).
		fail("install", context.Canceled, cancel)}
	results, err := Apply(ctx, rec, Config{Root: "/"}, []sdk.Action{
		{ID: "u", Type: "upgrade", Package: "foo", To: "1.1"},
		{ID: "h", Type: "hold", Package: "foo"},
		{ID: "r", Type: "reboot"},
		{ID: "bad", Type: "upgrade", Package: "Foo", To: "1"},
	}, nil, nil)
	if err != nil {
		t.Errorf("err = %v; the results say it", err)
	}
	want := map[string]sdk.Status{"u": sdk.StatusInterrupted, "h": sdk.StatusInterrupted, "r": sdk.StatusInterrupted, "bad": sdk.StatusFailed}
	if diff := cmp.Diff(want, statuses(results)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if n := rec.count("systemctl"); n != 0 {
		t.Error("rebooted after an interruption")
	}
	if msg := results[0].Message; msg != "interrupted: context canceled" {
		t.Errorf("message = %q", msg)
	}
}

func TestApplyNoRunner(t *testing.T) {
	if _, err := Apply(context.Background(), nil, Config{}, nil, nil, nil); err == nil {
		t.Error("no error without a runner")
	}
}

func TestApplyRunnerError(t *testing.T) {
	boom := errors.New("ssh: connection lost")
	rec := &recorder{r: new(fake).
		on("dpkg-query", out("foo\t1.0\tall\tii \n")).
		fail("install", boom, nil)}
	results, err := Apply(context.Background(), rec, Config{Root: "/"}, []sdk.Action{
		{ID: "u", Type: "upgrade", Package: "foo", To: "1.1"},
	}, nil, nil)
	if err != nil {
		t.Errorf("err = %v; the results say it", err)
	}
	if results[0].Status != sdk.StatusFailed || !strings.Contains(results[0].Message, "connection lost") {
		t.Errorf("%+v", results[0])
	}
}

package render

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/sdk"
)

// richApply is an apply of richPlan's web_1 and win_1: results of every
// status, a long dpkg message, a host error, a failed health check and a
// halted rollout.
func richApply() *apply.Report {
	start := *at("2026-11-28T22:30:00Z")
	dpkg := "E: Sub-process /usr/bin/dpkg returned an error code (1)\n" +
		strings.Repeat("Setting up package ...\n", 8) +
		"dpkg: error processing package nginx (--configure):\n installed nginx package post-installation script subprocess returned error exit status 1"
	return &apply.Report{
		StartedAt: start, FinishedAt: start.Add(95 * time.Second),
		Hosts: []apply.HostResult{
			{Host: "web_1", Provider: "apt", Policy: "linux_security",
				StartedAt: start, FinishedAt: start.Add(61*time.Second + 234*time.Millisecond),
				Results: []sdk.ActionResult{
					{ActionID: "web_1/apt/htop", Status: sdk.StatusSucceeded},
					{ActionID: "web_1/apt/nginx", Status: sdk.StatusFailed, Message: dpkg},
					{ActionID: "web_1/apt/openssl", Status: sdk.StatusInterrupted, Message: "tend was interrupted"},
					{ActionID: "web_1/apt/reboot", Status: sdk.StatusSkipped, Message: "an earlier action failed"},
				},
				Health: errors.New(`health_check "http": GET http://localhost/healthz: status 503, want 200`)},
			{Host: "win_1", Provider: "windowsupdate", Policy: "windows_monthly",
				StartedAt: start, FinishedAt: start.Add(2 * time.Second),
				Results: []sdk.ActionResult{
					{ActionID: "win_1/windowsupdate/KB5046617", Status: sdk.StatusFailed, Message: "provider windowsupdate would not start"},
				},
				Err: errors.New("transport ssh: dial 10.0.0.9:22: connection refused")},
		},
		Halted: []string{"windows_monthly"},
	}
}

// rollbackApply is an apply of richPlan's web_1 whose health check failed
// and whose policy rolled back: openssl went back, the new htop could not
// be removed, and the host is healthy again.
func rollbackApply() *apply.Report {
	start := *at("2026-11-28T22:30:00Z")
	return &apply.Report{
		StartedAt: start, FinishedAt: start.Add(40 * time.Second),
		Hosts: []apply.HostResult{{Host: "web_1", Provider: "apt", Policy: "linux_security",
			StartedAt: start, FinishedAt: start.Add(40 * time.Second),
			Results: []sdk.ActionResult{
				{ActionID: "web_1/apt/htop", Status: sdk.StatusSucceeded, Message: "htop 3.2.2-2 installed; stays at 3.2.2-2: not rolled back (failed): htop cannot be removed"},
				{ActionID: "web_1/apt/openssl", Status: model.StatusRolledBack, Message: "openssl 3.0.15-1~deb12u1 was installed, then rolled back to 3.0.11-1~deb12u2 after the health check failed"},
			},
			Health: errors.New(`health check http "http://localhost/healthz" failed: status 503, want 200`),
			Rollback: &apply.Rollback{Packages: []apply.RolledPackage{
				{ActionID: "web_1/apt/htop", Package: "htop", Applied: "3.2.2-2", Message: "not rolled back (failed): htop cannot be removed"},
				{ActionID: "web_1/apt/openssl", Package: "openssl", Applied: "3.0.15-1~deb12u1", Restored: "3.0.11-1~deb12u2", RolledBack: true, Message: "openssl 3.0.11-1~deb12u2 installed"},
			}},
		}},
	}
}

// progressEvents are an apply's events for two hosts, one failing.
func progressEvents() []apply.Event {
	rep := richApply()
	return []apply.Event{
		{Host: "web_1", Provider: "apt", Message: "starting"},
		{Host: "win_1", Provider: "windowsupdate", Message: "downloading KB5046617 with a long progress message"},
		{Host: "web_1", Provider: "apt", Done: &rep.Hosts[0]},
		{Host: "win_1", Provider: "windowsupdate", Done: &rep.Hosts[1]},
	}
}

// tick is a clock that moves 5 seconds each time it is read, from
// 2026-11-28T21:30:00Z: progress shows elapsed time without depending on
// the machine's speed.
func tick() func() time.Time {
	t := time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)
	return func() time.Time {
		now := t
		t = t.Add(5 * time.Second)
		return now
	}
}

func TestApplyGolden(t *testing.T) {
	progress := func(o ProgressOptions) func(w *bytes.Buffer) error {
		return func(w *bytes.Buffer) error {
			p := ApplyProgress(w, 2, o)
			for _, e := range progressEvents() {
				p(e)
			}
			return nil
		}
	}
	tests := []struct {
		name   string
		render func(w *bytes.Buffer) error
	}{
		{"apply_text", func(w *bytes.Buffer) error { return ApplyText(w, richPlan(), richApply()) }},
		{"apply_text_none", func(w *bytes.Buffer) error { return ApplyText(w, richPlan(), &apply.Report{}) }},
		{"apply_json", func(w *bytes.Buffer) error { return ApplyJSON(w, richPlan(), richApply()) }},
		{"apply_text_rollback", func(w *bytes.Buffer) error { return ApplyText(w, richPlan(), rollbackApply()) }},
		{"apply_json_rollback", func(w *bytes.Buffer) error { return ApplyJSON(w, richPlan(), rollbackApply()) }},
		{"apply_json_nothing", func(w *bytes.Buffer) error { return ApplyJSON(w, emptyPlan(), nil) }},
		{"apply_progress_lines", progress(ProgressOptions{})},
		{"apply_progress_verbose", progress(ProgressOptions{Verbose: true})},
		{"apply_progress_terminal", progress(ProgressOptions{Terminal: true, Width: func() int { return 48 }, Now: tick()})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.render(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
		})
	}
}

func TestApplyNilPlan(t *testing.T) {
	var buf bytes.Buffer
	if err := ApplyText(&buf, nil, richApply()); err == nil {
		t.Error("ApplyText(nil plan) succeeded")
	}
	if err := ApplyJSON(&buf, nil, nil); err == nil {
		t.Error("ApplyJSON(nil plan) succeeded")
	}
}

func TestClip(t *testing.T) {
	if got := clip("one line\n"); got != "one line" {
		t.Errorf("clip(one line) = %q", got)
	}
	long := "first\n2\n3\n4\n5\n6\n7\n8\nlast"
	want := "first\n              … (3 lines)\n              5\n              6\n              7\n              8\n              last"
	if got := clip(long); got != want {
		t.Errorf("clip(9 lines) = %q, want %q", got, want)
	}
}

// TestScanProgress: on a pipe, one line per host and nothing else; on a
// terminal (a fake one: a buffer told it is one), the finished host's line
// above a status line "[n/N hosts, elapsed] last host", redrawn in place
// and cleared at the end (issue 18, item 14).
func TestScanProgress(t *testing.T) {
	scan := func(o ProgressOptions) string {
		var b bytes.Buffer
		p := ScanProgress(&b, 3, o)
		p("web_1", nil)
		p("db_1", errors.New("connect: connection refused"))
		p("web_2", nil)
		return b.String()
	}
	if got, want := scan(ProgressOptions{}), "scan web_1: ok\nscan db_1: failed: connect: connection refused\nscan web_2: ok\n"; got != want {
		t.Errorf("lines:\n%q\nwant\n%q", got, want)
	}
	got := scan(ProgressOptions{Terminal: true, Now: tick(), Width: func() int { return 40 }})
	want := "\r\033[Kscan web_1: ok\n\r\033[K[1/3 hosts, 5s] scan web_1: ok" +
		"\r\033[Kscan db_1: failed: connect: connection refused\n\r\033[K[2/3 hosts, 10s] scan db_1: failed: co…" +
		"\r\033[Kscan web_2: ok\n\r\033[K[3/3 hosts, 15s] scan web_2: ok\r\033[K"
	if got != want {
		t.Errorf("terminal:\n%q\nwant\n%q", got, want)
	}
}

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
		{"apply_progress_terminal", progress(ProgressOptions{Terminal: true, Width: func() int { return 48 }})},
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

package daemon

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/gitsource"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestCrashChild is the daemon process TestKilledDuringApply kills.
func TestCrashChild(t *testing.T) {
	state := os.Getenv("TEND_CRASH_CHILD_STATE")
	if state == "" {
		t.Skip("helper process of TestKilledDuringApply")
	}
	log := logrus.New()
	d, err := New(Options{Git: gitsource.Options{URL: os.Getenv("TEND_CRASH_CHILD_REPO"), Path: "patching"}, StateDir: state, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Reconcile(context.Background(), plumbing.ZeroHash)
	t.Fatalf("the reconcile finished (%v); it should have been killed", err)
}

// TestKilledDuringApply: kill -9 of the daemon (and everything it started)
// while dpkg runs a postinst; the restarted daemon re-scans and reports the
// in-flight action interrupted or succeeded, from the journal.
func TestKilledDuringApply(t *testing.T) {
	// The postinst hangs while the marker exists: long enough to be
	// killed in, and quick once the marker is gone.
	marker := filepath.Join(t.TempDir(), "hang")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l := newLab(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}},
		Security: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2",
			Postinst: fmt.Sprintf("if [ -e %s ]; then sleep 600; fi", marker)}},
	})
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), "TEND_CRASH_CHILD_STATE="+l.state, "TEND_CRASH_CHILD_REPO=file://"+l.bare)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			killGroups(labGroups(cmd.Process.Pid, l.root.Dir))
			_ = cmd.Wait()
		}
	}()

	// Wait until the intent is journalled and dpkg is inside the postinst.
	journalFile := filepath.Join(l.state, "journal", "journal.jsonl")
	deadline := time.Now().Add(60 * time.Second)
	for {
		j, _ := os.ReadFile(journalFile)
		if strings.Contains(string(j), `"intent"`) && postinstRunning(labGroups(cmd.Process.Pid, l.root.Dir)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the apply never reached the postinst\njournal:\n%s\nchild:\n%s", j, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Like a power cut or an OOM kill of the whole service.
	killGroups(labGroups(cmd.Process.Pid, l.root.Dir))
	_ = cmd.Wait()
	killed = true

	d := l.daemon()
	res := l.reconcile(d)
	if len(res.Recovered) != 1 || res.Recovered[0] != "lab" || res.Apply != nil {
		t.Fatalf("recovered %v, apply %v; want lab recovered and nothing applied in the same reconcile", res.Recovered, res.Apply)
	}
	var rep model.Report
	l.reportsJSON("hosts/lab/report.json", &rep)
	if rep.LastApply == nil || len(rep.LastApply.Results) != 1 {
		t.Fatalf("report.json last_apply: %+v", rep.LastApply)
	}
	r := rep.LastApply.Results[0]
	if r.ActionID != "lab/apt/openssl" || (r.Status != model.StatusInterrupted && r.Status != model.StatusSucceeded) ||
		!strings.Contains(r.Message, "tend stopped during this apply") {
		t.Fatalf("result: %+v", r)
	}
	t.Logf("recovered as %s: %s", r.Status, r.Message)
	// What dpkg was left with is not hidden: the package dpkg left
	// half-configured fails the host until it is repaired.
	if r.Status == model.StatusInterrupted {
		if !strings.Contains(r.Message, "half-configured") {
			t.Errorf("the result does not say what dpkg was left with: %s", r.Message)
		}
		var broken *model.Item
		for i := range rep.Items {
			if rep.Items[i].Package == "openssl" {
				broken = &rep.Items[i]
			}
		}
		if rep.State != model.HostNonCompliant || broken == nil || broken.State != model.ItemFailed ||
			!strings.Contains(broken.Detail, "half-configured") {
			t.Fatalf("report after the crash: state %s, openssl item %+v", rep.State, broken)
		}
	}
	if len(d.journal.Pending()) != 0 {
		t.Fatalf("journal still pending: %+v", d.journal.Pending())
	}
	// Reported once: the next reconcile does not report it again as new,
	// and plans the host afresh.
	if err := os.Remove(marker); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d = l.daemon()
	res = l.reconcile(d)
	if len(res.Recovered) != 0 {
		t.Fatalf("recovered again: %v", res.Recovered)
	}
	// What dpkg was left with is in the logs of every scan, too.
	if !strings.Contains(l.logs.String(), "openssl is not fully installed") {
		t.Errorf("no scan warning about the half-configured package in the logs:\n%s", l.logs)
	}

}

// labGroups returns the process groups of the daemon child and of every
// process working on the lab's root (apt-get runs dpkg in a session of its
// own, as a pty's), the set systemd's KillMode=control-group would kill.
func labGroups(child int, root string) map[int]bool {
	groups := map[int]bool{child: true}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), root) {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(p, "/proc/%d/cmdline", &pid); err != nil {
			continue
		}
		if g, err := syscall.Getpgid(pid); err == nil {
			groups[g] = true
		}
	}
	return groups
}

// postinstRunning reports whether the package's "sleep 600" postinst runs
// in one of the groups.
func postinstRunning(groups map[int]bool) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || string(b) != "sleep\x00600\x00" {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(p, "/proc/%d/cmdline", &pid); err != nil {
			continue
		}
		if g, err := syscall.Getpgid(pid); err == nil && groups[g] {
			return true
		}
	}
	return false
}

func killGroups(groups map[int]bool) {
	for g := range groups {
		_ = syscall.Kill(-g, syscall.SIGKILL)
	}
}

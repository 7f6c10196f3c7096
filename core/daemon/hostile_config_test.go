package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestHostileCommitKeepsLastGood: commits that used to kill the daemon on
// every start (a file nested deeply enough to overflow the HCL parser's
// stack, a host list that is /dev/zero) are rejected like any broken
// configuration: the daemon keeps running, across restarts, with the last
// good configuration in force, and says the head is rejected.
func TestHostileCommitKeepsLastGood(t *testing.T) {
	l := newLab(t, securityLab)
	good := git(t, l.work, "rev-parse", "HEAD")
	d := l.daemon()
	if out := l.reconcile(d); out.State != StateOK || out.Applied != good {
		t.Fatalf("first reconcile: %+v", out)
	}

	// Each hostile commit would also approve every update if applied, so
	// tzdata staying put shows the last good configuration governs.
	everything := `  approve {
    classification = ["security", "updates"]
  }`
	deep := policyConf(l.root.Dir, everything) +
		"\ntend {\n  reports_branch = " + strings.Repeat("[", 200_000) + "\n}\n"
	zeroPath := policyConf(l.root.Dir, everything) + "\nhosts \"zero\" {\n  file = \"/dev/zero\"\n}\n"
	for i, step := range []struct {
		name  string
		write func()
		why   string // in Ready()'s reason and status.json
	}{
		{"deeply nested brackets", func() { l.write("patching/lab.tend.hcl", deep) }, "Configuration nested too deeply"},
		{"a host list at /dev/zero", func() { l.write("patching/lab.tend.hcl", zeroPath) }, "Host list outside the configuration directory"},
		{"a host list linked to /dev/zero", func() {
			l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, everything)+"\nhosts \"zero\" {\n  file = \"zero.json\"\n}\n")
			link := filepath.Join(l.work, "patching", "zero.json")
			_ = os.Remove(link)
			if err := os.Symlink("/dev/zero", link); err != nil {
				t.Fatal(err)
			}
		}, "zero.json"},
	} {
		step.write()
		bad := l.commit("hostile: " + step.name)
		// A new security update arrives meanwhile: the last good
		// configuration still applies it.
		version := "3.0.20-" + string(rune('3'+i))
		l.root.Publish(t, apttest.Security, apttest.Pkg{Name: "openssl", Version: version})
		l.root.Update(t)

		for restart := range 2 {
			if restart == 1 { // same state dir, fresh process state
				d.Close()
				d = l.daemon()
			}
			out := l.reconcile(d)
			if out.State != StateInvalid || out.Head != bad || out.Applied != good {
				t.Fatalf("%s (restart %d): state %s head %s applied %s; want invalid, %s, %s\nlogs:\n%s",
					step.name, restart, out.State, out.Head, out.Applied, bad, good, l.logs)
			}
			ok, why := d.Ready()
			if ok || !strings.Contains(why, step.why) || !strings.Contains(why, "stays in force") {
				t.Fatalf("%s (restart %d): Ready() = %v, %q", step.name, restart, ok, why)
			}
		}
		if got := l.root.Installed(t); got["openssl"] != version || got["tzdata"] != "2025a-1" {
			t.Fatalf("%s: installed %v; want openssl %s from the last good config, tzdata untouched", step.name, got, version)
		}
		var st StatusFileJSON
		l.reportsJSON("status.json", &st)
		if st.State != StateInvalid || st.Head != bad || st.Applied != good ||
			!strings.Contains(strings.Join(append(st.Diagnostics, st.Problem), "\n"), step.why) {
			t.Fatalf("%s: status.json: %+v", step.name, st)
		}
	}
}

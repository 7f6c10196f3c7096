package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// aptLab builds the real apt provider into a plugin directory and creates a
// hermetic root with a configuration approving security updates only.
func aptLab(t *testing.T, opts apttest.Options) (confDir string, root *apttest.Root) {
	return aptLabPolicy(t, opts, "approve {\n    classification = [\"security\"]\n  }")
}

// aptLabPolicy is aptLab with the policy's rules given.
func aptLabPolicy(t *testing.T, opts apttest.Options, rules string) (confDir string, root *apttest.Root) {
	t.Helper()
	if err := apttest.Available(); err != nil {
		t.Skip(err)
	}
	loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	root, err := apttest.Create(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	confDir = t.TempDir()
	conf := fmt.Sprintf(`provider "apt" {
  root = %q
}
host "lab" {
  transport = "local"
}
policy "security_only" {
  provider = "apt"
  targets  = [host.lab]
  reboot   = "never"
  %s
}
`, root.Dir, rules)
	if err := os.WriteFile(filepath.Join(confDir, "lab.tend.hcl"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return confDir, root
}

// tend runs the CLI in-process and returns its exit code and output.
func tend(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestAptEndToEnd(t *testing.T) {
	conf, root := aptLab(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}, {Name: "tzdata", Version: "2025a-1"}},
		Stable:    []apttest.Pkg{{Name: "tzdata", Version: "2025b-1"}},
		Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}},
	})
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := tend(t, "plan", "-C", conf, "--detailed-exitcode")
	if code != 2 || !strings.Contains(out, "upgrade  openssl  3.0.20-1 → 3.0.20-2") {
		t.Fatalf("first plan: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = tend(t, "apply", "-C", conf, "--auto-approve")
	if code != 0 || !strings.Contains(out, "Applied: 1 succeeded, 0 failed") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	installed := root.Installed(t)
	if installed["openssl"] != "3.0.20-2" || installed["tzdata"] != "2025a-1" {
		t.Errorf("after apply: %v; want only the security update installed", installed)
	}
	if code, out, errOut := tend(t, "plan", "-C", conf, "--detailed-exitcode"); code != 0 {
		t.Errorf("second plan: exit %d, want 0 (no changes)\n%s%s", code, out, errOut)
	}

	// A saved plan applies once; after the apply's rescan it is stale.
	root.Publish(t, apttest.Security, apttest.Pkg{Name: "openssl", Version: "3.0.20-3"})
	root.Update(t)
	planFile := filepath.Join(t.TempDir(), "p.tendplan")
	time.Sleep(1100 * time.Millisecond) // scanned_at has second precision
	if code, out, errOut := tend(t, "plan", "-C", conf, "-out", planFile); code != 0 {
		t.Fatalf("plan -out: exit %d\n%s%s", code, out, errOut)
	}
	time.Sleep(1100 * time.Millisecond)
	if code, out, errOut := tend(t, "apply", "-C", conf, planFile); code != 0 {
		t.Fatalf("apply saved plan: exit %d\n%s%s", code, out, errOut)
	}
	if got := root.Installed(t)["openssl"]; got != "3.0.20-3" {
		t.Errorf("openssl = %s after the saved plan", got)
	}
	code, _, errOut = tend(t, "apply", "-C", conf, planFile)
	if code != 1 || !strings.Contains(errOut, "the plan is stale") {
		t.Errorf("re-applying the saved plan: exit %d, stderr %s", code, errOut)
	}
}

func TestAptFailedApply(t *testing.T) {
	conf, root := aptLab(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "good", Version: "1.0"}, {Name: "broken", Version: "1.0"}},
		Security: []apttest.Pkg{{Name: "good", Version: "1.1"},
			{Name: "broken", Version: "1.1", Postinst: "echo 'broken: configuration failed' >&2; exit 1"}},
	})
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := tend(t, "apply", "-C", conf, "--auto-approve")
	if code != 1 {
		t.Fatalf("apply with a broken package: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"failed      upgrade broken 1.1", "succeeded   upgrade good 1.1", "post-installation script"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	if got := root.Installed(t)["good"]; got != "1.1" {
		t.Errorf("good = %q; the rest of the host's state should be intact and upgraded", got)
	}
}

func TestAptRejectAndPin(t *testing.T) {
	conf, root := aptLabPolicy(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "nginx", Version: "1.22.1-9+deb12u2"}, {Name: "tzdata", Version: "2025a-1"}, {Name: "curl", Version: "7.88.1-10"}},
		Stable: []apttest.Pkg{{Name: "nginx", Version: "1.22.1-9"}, {Name: "nginx", Version: "1.22.1-9+deb12u2"},
			{Name: "tzdata", Version: "2025b-1"}, {Name: "curl", Version: "7.88.1-11"}},
	}, `approve {}
  reject = ["tzdata"]
  pin    = { nginx = "1.22.1-9" }`)
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := tend(t, "plan", "-C", conf, "-v")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"downgrade  nginx  1.22.1-9+deb12u2 → 1.22.1-9", "upgrade    curl", `tzdata  2025b-1  rejected by reject "tzdata"`} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if code, out, errOut := tend(t, "apply", "-C", conf, "--auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	got := root.Installed(t)
	if got["nginx"] != "1.22.1-9" || got["tzdata"] != "2025a-1" || got["curl"] != "7.88.1-11" {
		t.Errorf("installed after apply = %v; want nginx pinned down, tzdata rejected, curl upgraded", got)
	}
	if code, out, errOut := tend(t, "plan", "-C", conf, "--detailed-exitcode"); code != 0 {
		t.Errorf("plan after apply: exit %d, want 0\n%s%s", code, out, errOut)
	}
}

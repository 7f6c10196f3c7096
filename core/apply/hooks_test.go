package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/internal/testfile"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/session"
	"github.com/tend-sh/tend/core/transport/ssh/sshtest"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestHooksAroundAptOverSSH runs a policy's hooks on a host reached through
// a real sshd on 127.0.0.1, around a real apt upgrade in a hermetic root:
// the pre hooks see the old version, the post hook the new one. A failing
// pre hook leaves a second host's root untouched and fails that host.
func TestHooksAroundAptOverSSH(t *testing.T) {
	if err := apttest.Available(); err != nil {
		t.Skip(err)
	}
	srv := sshtest.Start(t)
	loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	opts := apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}},
		Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}},
	}
	for _, tc := range []struct {
		name, pre   string
		wantVersion string
		wantLog     string
	}{
		{name: "hooks in order", pre: `["sh", "-c", "echo pre $(dpkg-query --admindir=$0/var/lib/dpkg -W -f='$${Version}' openssl) >> $1", ROOT, LOG]`,
			wantVersion: "3.0.20-2", wantLog: "pre 3.0.20-1\npost 3.0.20-2\n"},
		{name: "failing pre hook", pre: `["sh", "-c", "echo the load balancer said no; exit 4"]`,
			wantVersion: "3.0.20-1", wantLog: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := apttest.NewRoot(t, opts)
			dir := t.TempDir()
			log := filepath.Join(dir, "hooks.log")
			post := `["sh", "-c", "echo post $(dpkg-query --admindir=$0/var/lib/dpkg -W -f='$${Version}' openssl) >> $1", ROOT, LOG]`
			pre := strings.NewReplacer("ROOT", fmt.Sprintf("%q", root.Dir), "LOG", fmt.Sprintf("%q", log)).Replace(tc.pre)
			post = strings.NewReplacer("ROOT", fmt.Sprintf("%q", root.Dir), "LOG", fmt.Sprintf("%q", log)).Replace(post)
			testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), fmt.Sprintf(`
provider "apt" {
  root = %q
}
host "remote" {
  transport = "ssh"
  address   = "127.0.0.1"
  ssh {
    port             = %d
    user             = %q
    identity_file    = %q
    known_hosts_file = %q
  }
}
policy "p" {
  provider = "apt"
  targets  = [host.remote]
  reboot   = "never"
  approve {}
  hook "pre" {
    argv    = %s
    timeout = "1m"
  }
  hook "post" {
    argv = %s
  }
}
`, root.Dir, srv.Port, srv.User, srv.UserKey, srv.KnownHosts, pre, post))
			cfg, diags := config.Load(dir)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			res := initAndPlan(t, cfg)
			if n := res.Saved.Plan.Summary.Actions["upgrade"]; n != 1 {
				t.Fatalf("planned upgrades = %d, want 1: %+v", n, res.Saved.Plan.Hosts)
			}
			ps, _ := session.OpenProviders(cfg, nil)
			defer ps.Close()
			rep := Apply(context.Background(), cfg, ps, res.Saved.Plan, Options{})
			if got := root.Installed(t)["openssl"]; got != tc.wantVersion {
				t.Errorf("openssl = %s, want %s", got, tc.wantVersion)
			}
			got, _ := os.ReadFile(log)
			if string(got) != tc.wantLog {
				t.Errorf("hook log = %q, want %q", got, tc.wantLog)
			}
			h := rep.Hosts[0]
			if tc.wantLog != "" {
				if rep.Failed() != 0 || len(h.Hooks) != 2 || h.Hooks[0].Phase != "pre" || h.Hooks[1].Phase != "post" || h.Hook != nil {
					t.Errorf("result = %+v", h)
				}
				return
			}
			if rep.Failed() != 1 || h.Hook == nil || h.Results[0].Status != sdk.StatusSkipped || !strings.Contains(h.Results[0].Message, "not started: pre hook[0]") {
				t.Fatalf("result = %+v", h)
			}
			if h.Hook.Result.ExitCode != 4 || h.Hook.Result.Stdout != "the load balancer said no\n" || len(h.Hooks) != 1 {
				t.Errorf("hook = %+v", h.Hook.Result)
			}
			var exit *sdk.ExitError
			if !errors.As(h.Hook, &exit) || !IsHookFailure(h.Hook) {
				t.Errorf("hook error %v is not a typed exit", h.Hook)
			}
		})
	}
}

// TestHookFailuresCountTowardMaxFailures: a failing pre hook counts as a
// failed host, so the rollout halts; a failing post hook fails a host whose
// actions succeeded.
func TestHookFailuresCountTowardMaxFailures(t *testing.T) {
	loadertest.InstallTestProvider(t)
	cfg := testFleet(t, []string{"a1", "a2", "a3"}, "rollout {\n ring \"all\" {\n percent = 100\n }\n max_parallel = 1\n max_failures = 0\n }\n hook \"pre\" {\n argv = [\"false\"]\n }")
	res := initAndPlan(t, cfg)
	ps, _ := session.OpenProviders(cfg, nil)
	defer ps.Close()
	rep := Apply(context.Background(), cfg, ps, res.Saved.Plan, Options{})
	var got []string
	for _, h := range rep.Hosts {
		got = append(got, fmt.Sprintf("%s %s %v", h.Host, h.Results[0].Status, h.Hook != nil))
	}
	if strings.Join(got, ",") != "a1 skipped true,a2 skipped false,a3 skipped false" || len(rep.Halted) != 1 || rep.Failed() != 1 {
		t.Errorf("results = %v, halted = %v", got, rep.Halted)
	}

	cfg = testFleet(t, []string{"b1"}, "hook \"post\" {\n argv = [\"sh\", \"-c\", \"echo still draining >&2; exit 2\"]\n }")
	res = initAndPlan(t, cfg)
	ps2, _ := session.OpenProviders(cfg, nil)
	defer ps2.Close()
	rep = Apply(context.Background(), cfg, ps2, res.Saved.Plan, Options{})
	h := rep.Hosts[0]
	if h.Results[0].Status != sdk.StatusSucceeded || h.Hook == nil || h.Hook.Hook.Phase != config.HookPost || !h.Failed() || h.Hook.Result.Stderr != "still draining\n" {
		t.Errorf("post hook failure: %+v", h)
	}
}

// TestApplyHonoursSuspendAndFreeze: a plan made before a suspension or a
// freeze starts nothing once it holds.
func TestApplyHonoursSuspendAndFreeze(t *testing.T) {
	loadertest.InstallTestProvider(t)
	res := initAndPlan(t, testFleet(t, []string{"a1"}, ""))
	for _, tc := range []struct{ body, want string }{
		{"suspend {\n until = \"2099-12-31\"\n reason = \"client audit\"\n }", "not started: policy p suspended until 2099-12-31: client audit"},
		{"emergency = true\n suspend {\n until = \"2099-12-31\"\n reason = \"client audit\"\n }", "not started: policy p suspended until 2099-12-31: client audit"},
		{"}\nfreeze \"f\" {\n from = \"2000-01-01\"\n until = \"2099-12-31\"\n reason = \"year end\"", "not started: frozen by freeze f until 2099-12-31: year end"},
	} {
		cfg := testFleet(t, []string{"a1"}, tc.body)
		ps := lockAndOpen(t, cfg)
		rep := Apply(context.Background(), cfg, ps, res.Saved.Plan, Options{})
		if r := rep.Hosts[0].Results[0]; r.Status != sdk.StatusSkipped || r.Message != tc.want {
			t.Errorf("%s: result = %+v, want skipped %q", tc.body, r, tc.want)
		}
	}
}

// TestPreRebootHookFailureSkipsTheReboot: the package actions run, then
// the pre_reboot hook; when it fails, the reboot is never asked for and
// the host fails.
func TestPreRebootHookFailureSkipsTheReboot(t *testing.T) {
	loadertest.InstallTestProvider(t)
	cfg := testFleet(t, []string{"c1"}, "hook \"pre_reboot\" {\n argv = [\"sh\", \"-c\", \"echo cluster not ready; exit 1\"]\n }")
	res := initAndPlan(t, cfg)
	h := &res.Saved.Plan.Hosts[0]
	h.Actions = append(h.Actions, model.Action{ID: "c1/test/reboot", Type: model.ActionReboot, CVEs: []string{}})
	ps := lockAndOpen(t, cfg)
	rep := Apply(context.Background(), cfg, ps, res.Saved.Plan, Options{})
	r := rep.Hosts[0]
	if len(r.Results) != 2 || r.Results[0].Status != sdk.StatusSucceeded || r.Results[1].Status != sdk.StatusSkipped ||
		!strings.HasPrefix(r.Results[1].Message, "not rebooted: pre_reboot hook[0]") || !r.Failed() || r.Hook.Result.Stdout != "cluster not ready\n" {
		t.Errorf("result = %+v", r)
	}
}

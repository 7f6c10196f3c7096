package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/agentwire/natstest"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// These tests run the whole agent mode: a real tend serve as the
// controller, real tend agent processes, each patching its own hermetic
// apt root, and a real nats-server between them.

// mountNamespaces reports why per-process bind mounts (unshare --mount,
// which needs root) cannot be used, "" when they can.
func mountNamespaces(t *testing.T) string {
	t.Helper()
	src, dst := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "probe"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount --bind "$1" "$2" && test -f "$2/probe"`, "sh", src, dst).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("unshare --mount with a bind mount: %v %s", err, out)
	}
	return ""
}

// startHostAgent starts tend agent run for host in group, in a mount
// namespace of its own where its apt root is bound onto mount: every
// agent sees its own machine at the one path the configuration names, as
// separate hosts would.
func startHostAgent(t *testing.T, bin, url, host, group, root, mount, stateDir string) *agentProc {
	t.Helper()
	args := []string{"--mount", "--propagation", "private", "sh", "-c", `mount --bind "$1" "$2" && shift 2 && exec "$@"`, "sh", root, mount,
		bin, "agent", "run", "--nats", url, "--host", host, "--group", group, "--state-dir", stateDir,
		"--log-level", "debug", "--heartbeat", "500ms", "--revision-interval", "2s", "--scan-interval", "3s", "--reconnect-min", "20ms", "--reconnect-max", "200ms"}
	return launchAgent(t, exec.Command("unshare", args...), host)
}

// TestServeAgents: tend serve with three agent hosts. The agents' scans
// reach the controller's inventory, the reconcile plans from them and
// applies through the agents (two at a time), each host's own apt root
// gets the security update, and the reports branch says every host is
// compliant. Then, with a newer update scanned on every host during a
// freeze, one agent is stopped and the freeze lifted: the two others are
// patched, the stopped one's host is reported unreachable once
// --agent-timeout has passed and is left as it was.
func TestServeAgents(t *testing.T) {
	if err := apttest.Available(); err != nil {
		t.Skip(err)
	}
	if why := mountNamespaces(t); why != "" {
		t.Skip(why)
	}
	loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	hosts := []string{"web1", "web2", "web3"}
	roots := map[string]*apttest.Root{}
	for _, h := range hosts {
		r, err := apttest.Create(t.TempDir(), opensslLab)
		if err != nil {
			t.Fatal(err)
		}
		roots[h] = r
	}
	mount := filepath.Join(t.TempDir(), "root")
	if err := os.Mkdir(mount, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := t.TempDir()
	var hcl strings.Builder
	fmt.Fprintf(&hcl, "provider \"apt\" {\n  root = %q\n}\n", mount)
	for _, h := range hosts {
		fmt.Fprintf(&hcl, "host %q {\n  transport = \"agent\"\n  labels    = { role = \"web\" }\n}\n", h)
	}
	hcl.WriteString(`group "web" {
  match = { role = "web" }
}
policy "security_only" {
  provider = "apt"
  targets  = [group.web]
  reboot   = "never"
  approve {
    classification = ["security"]
  }
  rollout {
    ring "all" {
      percent = 100
    }
    max_parallel = 2
  }
}
`)
	if err := os.WriteFile(filepath.Join(conf, "fleet.tend.hcl"), []byte(hcl.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	bare := publishConfig(t, conf, "three agent hosts")

	bin := buildTend(t)
	srv := natstest.Start(t, nil)
	state := t.TempDir()
	serve := exec.Command(bin, "serve", "--repo", "file://"+bare, "--state-dir", state, "--interval", "2s", "--report-interval", "3s",
		"--nats", srv.URL(), "--agent-timeout", "90s", "--log-level", "debug")
	serveLog := startServe(t, serve)

	agents := map[string]*agentProc{}
	for _, h := range hosts {
		agents[h] = startHostAgent(t, bin, srv.URL(), h, "web", roots[h].Dir, mount, t.TempDir())
	}
	diag := func() string {
		var b strings.Builder
		for _, h := range hosts {
			fmt.Fprintf(&b, "--- %s %s\n", h, agents[h].logs())
		}
		return b.String() + "--- tend serve log:\n" + serveLog.String()
	}

	// The agents' scans are ingested where the daemon plans from.
	invDir := filepath.Join(state, "agents", "inventory")
	eventually(t, "the three agents' scans in the controller's inventory", func() bool {
		snaps, err := inventory.ReadDir(invDir)
		if err != nil {
			return false
		}
		for _, h := range hosts {
			if s := snaps[h]; s == nil || len(s.Providers["apt"].Installed) == 0 {
				return false
			}
		}
		return true
	}, diag)

	// The reconcile applies through the agents: each root is patched,
	// and only with the security update.
	for _, h := range hosts {
		r := roots[h]
		eventually(t, h+" patched", func() bool { return r.Installed(t)["openssl"] == "3.0.20-2" }, diag)
		if got := r.Installed(t)["tzdata"]; got != "2025a-1" {
			t.Errorf("%s: tzdata %s, want it left at 2025a-1", h, got)
		}
	}

	// The reports branch has every host compliant.
	eventually(t, "every host compliant on the reports branch", func() bool {
		for _, h := range hosts {
			out, err := exec.Command("git", "-C", bare, "show", "tend/reports:hosts/"+h+"/report.json").Output()
			if err != nil || !strings.Contains(string(out), `"state": "compliant"`) {
				return false
			}
		}
		return true
	}, diag)
	history := gitRun(t, bare, "log", "--format=%s", "tend/reports")
	if history == "" {
		t.Fatal("the reports branch has no commits")
	}
	for _, h := range hosts {
		rep := gitRun(t, bare, "show", "tend/reports:hosts/"+h+"/report.json")
		if !strings.Contains(rep, "3.0.20-2") {
			t.Errorf("%s report.json does not name the new openssl:\n%s", h, rep)
		}
	}

	// Phase two: a freeze (and apt refresh, so the agents' scans see new
	// packages) comes into force.
	conf2 := strings.Replace(hcl.String(), "root = ", "refresh = true\n  root = ", 1) + `freeze "now" {
  from   = "2020-01-01"
  until  = "2099-12-31"
  reason = "test freeze"
}
`
	commit := func(body, msg string) string {
		if err := os.WriteFile(filepath.Join(conf, "fleet.tend.hcl"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		gitRun(t, conf, "commit", "-q", "-am", msg)
		gitRun(t, conf, "push", "-q", bare, "main")
		return gitRun(t, conf, "rev-parse", "HEAD")
	}
	frozen := commit(conf2, "freeze, refresh")
	eventually(t, "the freeze in force", func() bool {
		return strings.Contains(serveLog.String(), `msg="configuration in force" commit=`+frozen[:12])
	}, diag)
	for _, h := range hosts {
		roots[h].Publish(t, apttest.Security, apttest.Pkg{Name: "openssl", Version: "3.0.20-3"})
	}
	eventually(t, "every host's scan offering openssl 3.0.20-3", func() bool {
		snaps, err := inventory.ReadDir(invDir)
		if err != nil {
			return false
		}
		for _, h := range hosts {
			s := snaps[h]
			if s == nil {
				return false
			}
			found := false
			for _, u := range s.Providers["apt"].Available {
				found = found || (u.Name == "openssl" && u.To == "3.0.20-3")
			}
			if !found {
				return false
			}
		}
		return true
	}, diag)
	agents["web3"].stop(t)
	lifted := commit(conf2[:strings.Index(conf2, `freeze "now"`)], "lift the freeze")
	eventually(t, "the freeze lifted", func() bool {
		return strings.Contains(serveLog.String(), `msg="configuration in force" commit=`+lifted[:12])
	}, diag)
	for _, h := range []string{"web1", "web2"} {
		r := roots[h]
		eventually(t, h+" patched again", func() bool { return r.Installed(t)["openssl"] == "3.0.20-3" }, diag)
	}
	eventually(t, "web3 reported unreachable", func() bool {
		out, err := exec.Command("git", "-C", bare, "show", "tend/reports:hosts/web3/report.json").Output()
		return err == nil && strings.Contains(string(out), "unreachable: agent web3 sent no result within 1m30s")
	}, diag)
	if got := roots["web3"].Installed(t)["openssl"]; got != "3.0.20-2" {
		t.Errorf("web3, whose agent was stopped, has openssl %s", got)
	}
}

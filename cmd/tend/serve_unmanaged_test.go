package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/agentwire/natstest"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/notify/notifytest"
	"github.com/tend-sh/tend/core/notify/sink"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestServeAdoptsUnmanagedAgent: a real tend agent for a host no
// configuration declares says hello to a real tend serve. It shows up as
// unmanaged in SUMMARY.md, summary.json and /metrics, and one webhook
// notification says so. tend hosts export --unmanaged prints its entry
// from the state directory; committed (with the label the policy's group
// selects), the host is managed: its agent scans, is patched and its
// report.json is compliant, and no second notification is sent.
func TestServeAdoptsUnmanagedAgent(t *testing.T) {
	if err := apttest.Available(); err != nil {
		t.Skip(err)
	}
	loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	root, err := apttest.Create(t.TempDir(), opensslLab)
	if err != nil {
		t.Fatal(err)
	}
	hook := notifytest.NewReceiver(t)
	conf := t.TempDir()
	fleetConf := fmt.Sprintf(`provider "apt" {
  root = %q
}
group "web" {
  match = { role = "web" }
}
policy "security_only" {
  provider = "apt"
  targets  = [group.web]
  reboot   = "never"
  approve {
    classification = ["security"]
  }
}
notify "ops" {
  type    = "webhook"
  url_env = "TEST_TEND_UNMANAGED_HOOK"
  only_on = ["unmanaged_agent"]
}
`, root.Dir)
	if err := os.WriteFile(filepath.Join(conf, "fleet.tend.hcl"), []byte(fleetConf), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	bare := publishConfig(t, conf, "a web group, no hosts yet")

	bin := buildTend(t)
	srv := natstest.Start(t, nil)
	state := t.TempDir()
	serve := exec.Command(bin, "serve", "--repo", "file://"+bare, "--state-dir", state, "--interval", "1s", "--report-interval", "0",
		"--nats", srv.URL(), "--metrics-addr", "127.0.0.1:0", "--log-level", "debug")
	serve.Env = append(os.Environ(), "TEST_TEND_UNMANAGED_HOOK="+hook.URL())
	serveLog := startServe(t, serve)
	agent := launchAgent(t, exec.Command(bin, "agent", "run", "--nats", srv.URL(), "--host", "kiosk", "--group", "web",
		"--state-dir", t.TempDir(), "--log-level", "debug", "--heartbeat", "200ms", "--revision-interval", "1s",
		"--scan-interval", "2s", "--reconnect-min", "20ms", "--reconnect-max", "200ms"), "kiosk")
	diag := func() string { return agent.logs() + "\n--- tend serve log:\n" + serveLog.String() }
	summary := func() *model.FleetSummary {
		out, err := exec.Command("git", "-C", bare, "show", "tend/reports:summary.json").Output()
		if err != nil {
			return nil
		}
		var s model.FleetSummary
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatalf("summary.json: %v\n%s", err, out)
		}
		return &s
	}
	unmanaged := func(s *model.FleetSummary) []string {
		if s == nil || s.Agents == nil {
			return nil
		}
		out := []string{}
		for _, u := range s.Agents.Unmanaged {
			out = append(out, u.Host)
		}
		return out
	}
	metric := func(line string) bool {
		m := regexp.MustCompile(`addr="?(127\.0\.0\.1:\d+)"?`).FindAllStringSubmatch(serveLog.String(), -1)
		for _, addr := range m {
			resp, err := http.Get("http://" + addr[1] + "/metrics")
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), line+"\n") {
				return true
			}
		}
		return false
	}

	eventually(t, "kiosk unmanaged in summary.json", func() bool { return fmt.Sprint(unmanaged(summary())) == "[kiosk]" }, diag)
	s := summary()
	if u := s.Agents.Unmanaged[0]; u.Enrolled || u.FirstSeen == nil || u.LastSeen == nil || u.Facts["arch"] == "" || fmt.Sprint(u.Groups) != "[web]" {
		t.Errorf("summary.json's unmanaged kiosk: %+v", u)
	}
	if md := gitRun(t, bare, "show", "tend/reports:SUMMARY.md"); !strings.Contains(md, "## Unmanaged agents") || !strings.Contains(md, "| kiosk |") {
		t.Errorf("SUMMARY.md:\n%s", md)
	}
	eventually(t, `tend_agents{state="unmanaged"} 1 on /metrics`, func() bool { return metric(`tend_agents{state="unmanaged"} 1`) }, diag)
	reqs := hook.Wait(patience, func(r []notifytest.Request) bool { return len(r) >= 1 })
	var p sink.WebhookPayload
	if err := json.Unmarshal(reqs[0].Body, &p); err != nil || len(p.Events) != 1 || p.Events[0].Kind != "unmanaged_agent" || p.Events[0].Host != "kiosk" {
		t.Errorf("webhook: %s (%v)", reqs[0].Body, err)
	}

	// The operator exports the entry, adds the label the policy's group
	// selects on, and commits it.
	code, out, errOut := tend(t, "hosts", "export", "--unmanaged", "--state-dir", state)
	if code != 0 || out != "[\n  {\"name\":\"kiosk\",\"transport\":\"agent\"}\n]\n" || !strings.Contains(errOut, "1 unmanaged agent from ") {
		t.Fatalf("hosts export: exit %d\n%s%s", code, out, errOut)
	}
	var entries []config.HostListEntry
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatal(err)
	}
	entries[0].Labels = map[string]string{"role": "web"}
	hostsFile, err := config.EncodeHostList(entries)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "agents.json"), hostsFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "fleet.tend.hcl"), []byte(fleetConf+"hosts \"new_agents\" {\n  file = \"agents.json\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, conf, "add", "-A")
	gitRun(t, conf, "commit", "-q", "-m", "declare kiosk (tend hosts export --unmanaged)")
	gitRun(t, conf, "push", "-q", bare, "main")

	eventually(t, "kiosk patched by its agent", func() bool { return root.Installed(t)["openssl"] == "3.0.20-2" }, diag)
	eventually(t, "kiosk compliant and managed on the reports branch", func() bool {
		rep, err := exec.Command("git", "-C", bare, "show", "tend/reports:hosts/kiosk/report.json").Output()
		return err == nil && strings.Contains(string(rep), `"state": "compliant"`) && fmt.Sprint(unmanaged(summary())) == "[]"
	}, diag)
	eventually(t, `tend_agents{state="unmanaged"} 0 on /metrics`, func() bool { return metric(`tend_agents{state="unmanaged"} 0`) }, diag)
	if n := len(hook.Requests()); n != 1 {
		t.Errorf("webhook got %d requests, want 1", n)
	}
}

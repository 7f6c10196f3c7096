package daemon

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/notify"
	"github.com/tend-sh/tend/core/notify/notifytest"
	"github.com/tend-sh/tend/core/notify/sink"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// sinks are the notify blocks of the notification tests, their URLs and
// the webhook's secret read from the environment and a file.
func sinks(secretFile string, smtp *notifytest.SMTP) string {
	s := fmt.Sprintf(`
notify "ops_hook" {
  type        = "webhook"
  url_env     = "TEST_TEND_HOOK_URL"
  secret_file = %q
}
notify "ops_slack" {
  type     = "slack"
  url_env  = "TEST_TEND_SLACK_URL"
  only_on  = ["rollout_halted", "config_rejected"]
}
notify "ops_teams" {
  type     = "teams"
  url_env  = "TEST_TEND_TEAMS_URL"
  severity = "critical"
}
`, secretFile)
	if smtp != nil {
		s += fmt.Sprintf(`notify "ops_mail" {
  type    = "email"
  only_on = ["rollout_halted", "config_rejected"]
  smtp {
    host    = %q
    port    = %d
    ca_file = %q
    from    = "tend@example.com"
    to      = ["ops@example.com"]
  }
}
`, smtp.Host, smtp.Port, smtp.CAFile)
	}
	return s
}

// hookEvents returns the events of the kind the webhook receiver got, each
// request's signature checked.
func hookEvents(t *testing.T, reqs []notifytest.Request, secret, kind string) []notify.Event {
	t.Helper()
	var out []notify.Event
	for _, r := range reqs {
		if got, want := r.Header.Get(sink.HeaderSignature), sink.Sign([]byte(secret), r.Body); got != want {
			t.Fatalf("signature %q, want %q", got, want)
		}
		var p sink.WebhookPayload
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Events {
			if e.Kind == kind {
				out = append(out, e)
			}
		}
	}
	return out
}

func bodiesWith(reqs []notifytest.Request, s string) int {
	n := 0
	for _, r := range reqs {
		if strings.Contains(string(r.Body), s) {
			n++
		}
	}
	return n
}

// TestNotifyHaltedAndRejected is the notifications' acceptance scenario:
// a halted rollout and then a rejected configuration reach a signed
// generic webhook, Slack, Teams and mail over STARTTLS, each in its
// documented shape, once each however often the daemon reconciles.
func TestNotifyHaltedAndRejected(t *testing.T) {
	good := apttest.Pkg{Name: "app", Version: "1.0-1", Script: "exit 0"}
	bad := apttest.Pkg{Name: "app", Version: "2.0-1", Script: "echo app 2.0 is broken >&2; exit 1"}
	l := newLab(t, apttest.Options{Installed: []apttest.Pkg{good}, Stable: []apttest.Pkg{good}, Security: []apttest.Pkg{bad}})
	hook, slack, teams := notifytest.NewReceiver(t), notifytest.NewReceiver(t), notifytest.NewReceiver(t)
	mail := notifytest.StartSMTP(t)
	t.Setenv("TEST_TEND_HOOK_URL", hook.URL())
	t.Setenv("TEST_TEND_SLACK_URL", slack.URL())
	t.Setenv("TEST_TEND_TEAMS_URL", teams.URL())
	secret := filepath.Join(t.TempDir(), "hook-secret")
	if err := os.WriteFile(secret, []byte("hook-s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	halting := policyConf(l.root.Dir, securityOnly+`
  rollback = true
  rollout {
    ring "all" {
      percent = 100
    }
    max_failures = 0
  }
  health_check "command" {
    argv = ["`+filepath.Join(l.root.Dir, "usr/bin/app")+`"]
  }`)
	l.write("patching/lab.tend.hcl", halting+sinks(secret, mail))
	l.commit("rollback, and tell ops")
	d := l.daemon(func(o *Options) { o.NotifyBackoff = 50 * time.Millisecond })
	out := l.reconcile(d)
	if out.Apply == nil || len(out.Apply.Halted) != 1 {
		t.Fatalf("apply: %+v", out.Apply)
	}

	const wait = 2 * time.Minute
	reqs := hook.Wait(wait, func(r []notifytest.Request) bool {
		return bodiesWith(r, `"kind":"rollout_halted"`) == 1 && bodiesWith(r, `"kind":"health_check_failed"`) == 1
	})
	halted := hookEvents(t, reqs, "hook-s3cret", notify.KindRolloutHalted)
	if len(halted) != 1 || halted[0].Policy != "security_only" || halted[0].Severity != "critical" ||
		!strings.Contains(strings.Join(halted[0].Details, "\n"), "lab/apt/health_check") {
		t.Errorf("rollout_halted event: %+v", halted)
	}
	health := hookEvents(t, reqs, "hook-s3cret", notify.KindHealthCheckFailed)
	if len(health) != 1 || health[0].Host != "lab" || !strings.Contains(strings.Join(health[0].Details, "\n"), "rolled back") {
		t.Errorf("health_check_failed event: %+v", health)
	}
	slackReqs := slack.Wait(wait, count(1))
	var sm sink.SlackMessage
	if err := json.Unmarshal(slackReqs[0].Body, &sm); err != nil || !strings.HasPrefix(sm.Text, "Rollout halted: ") ||
		sm.Blocks[0].Type != "header" || sm.Blocks[1].Type != "section" {
		t.Errorf("slack: %s (%v)", slackReqs[0].Body, err)
	}
	teamsReqs := teams.Wait(wait, count(2)) // halted and health check: both critical
	var tm sink.TeamsMessage
	if err := json.Unmarshal(teamsReqs[0].Body, &tm); err != nil || tm.Type != "message" ||
		tm.Attachments[0].ContentType != sink.AdaptiveCardType || tm.Attachments[0].Content.Type != "AdaptiveCard" {
		t.Errorf("teams: %s (%v)", teamsReqs[0].Body, err)
	}
	mail.WaitMails(t, wait, func(m []string) bool {
		return len(m) == 1 && strings.Contains(m[0], "Subject: [tend] critical: Rollout halted")
	})

	// A broken commit: the last good configuration's sinks say so.
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, "  approve {\n")+sinks(secret, mail))
	bad1 := l.commit("broken")
	if out := l.reconcile(d); out.State != StateInvalid {
		t.Fatalf("state %s", out.State)
	}
	reqs = hook.Wait(wait, func(r []notifytest.Request) bool { return bodiesWith(r, `"kind":"config_rejected"`) == 1 })
	rej := hookEvents(t, reqs, "hook-s3cret", notify.KindConfigRejected)
	if len(rej) != 1 || rej[0].Subject != bad1 || len(rej[0].Details) == 0 || !strings.HasPrefix(rej[0].Details[0], "lab.tend.hcl:") {
		t.Errorf("config_rejected event: %+v", rej)
	}
	slack.Wait(wait, func(r []notifytest.Request) bool { return bodiesWith(r, "Configuration rejected") == 1 })
	teams.Wait(wait, func(r []notifytest.Request) bool { return bodiesWith(r, "Configuration rejected") == 1 })
	mail.WaitMails(t, wait, func(m []string) bool { return len(m) == 2 })

	// Nothing changed: nothing new is queued.
	l.reconcile(d)
	if p := d.notifier.Pending(); len(p) != 0 {
		t.Fatalf("queued again: %+v", p[0].Events)
	}
	if n := len(hook.Requests()); n != 3 {
		t.Errorf("webhook got %d requests, want 3 (halted, health check, rejected)", n)
	}
	if strings.Contains(l.logs.String(), hook.URL()) || strings.Contains(l.logs.String(), "hook-s3cret") {
		t.Error("a secret is in the logs")
	}
}

func count(n int) func([]notifytest.Request) bool {
	return func(r []notifytest.Request) bool { return len(r) >= n }
}

// TestNotifyRetriedAcrossRestart: while the receiver is down the rejected
// configuration's event is retried (and counted); it waits in the state
// dir through a daemon restart and is delivered once the receiver is back,
// before any reconcile of the new process.
func TestNotifyRetriedAcrossRestart(t *testing.T) {
	l := newLab(t, securityLab)
	hook := notifytest.NewReceiver(t)
	hook.Stop()
	t.Setenv("TEST_TEND_HOOK_URL", hook.URL())
	sinkConf := `
notify "ops_hook" {
  type    = "webhook"
  url_env = "TEST_TEND_HOOK_URL"
  only_on = ["config_rejected"]
}
`
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, securityOnly)+sinkConf)
	l.commit("tell ops")
	m := metrics.New()
	d := l.daemon(func(o *Options) { o.NotifyBackoff = 50 * time.Millisecond; o.Metrics = m })
	l.reconcile(d)
	l.write("patching/lab.tend.hcl", "policy \"x\" {\n"+sinkConf)
	l.commit("broken")
	l.reconcile(d)
	deadline := time.Now().Add(2 * time.Minute)
	for testutil.ToFloat64(m.Notifications.WithLabelValues("ops_hook", "failed")) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no retries counted; logs:\n%s", l.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(l.logs.String(), "notify: sending failed; will retry") {
		t.Error("the failure is not logged")
	}
	d.Close()
	if files, _ := filepath.Glob(filepath.Join(l.state, "notify", "outbox", "*.json")); len(files) != 1 {
		t.Fatalf("outbox after the stop: %v", files)
	}

	hook.Start()
	m2 := metrics.New()
	l.daemon(func(o *Options) { o.NotifyBackoff = 50 * time.Millisecond; o.Metrics = m2 })
	reqs := hook.Wait(2*time.Minute, count(1))
	if !strings.Contains(string(reqs[0].Body), `"kind":"config_rejected"`) {
		t.Errorf("delivered: %s", reqs[0].Body)
	}
	deadline = time.Now().Add(2 * time.Minute)
	for testutil.ToFloat64(m2.Notifications.WithLabelValues("ops_hook", "sent")) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the delivery is not counted")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

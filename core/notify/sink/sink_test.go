package sink

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/notify"
	"github.com/tend-sh/tend/core/notify/notifytest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var at = time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)

// halted is a message about a halted rollout, as the daemon makes it.
func halted(s notify.Spec) *notify.Message {
	return &notify.Message{ID: "0123456789abcdef", Sink: s, CreatedAt: at, NextAttempt: at, Events: []notify.Event{{
		Kind: notify.KindRolloutHalted, Severity: notify.SeverityCritical, Policy: "linux_security",
		Labels: map[string]string{"client": "acme"}, ConfigCommit: "9f2c4e1d0b",
		Summary: "the rollout of policy linux_security halted after too many failures; it waits for a new commit",
		Details: []string{"web_1/apt/nginx: dpkg returned an error code (1) <&>"}, At: at}}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", p, diff)
	}
}

func indent(t *testing.T, v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestWebhookSigned: the generic webhook posts the documented payload,
// signed like GitHub's X-Hub-Signature-256 with the secret read from a
// file; the URL comes from the environment.
func TestWebhookSigned(t *testing.T) {
	r := notifytest.NewReceiver(t)
	t.Setenv("TEST_HOOK_URL", r.URL())
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := notify.Spec{Name: "ops", Type: "webhook", URL: notify.Secret{Env: "TEST_HOOK_URL"}, Secret: notify.Secret{File: secret}}
	snd, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := snd.Send(context.Background(), halted(s)); err != nil {
		t.Fatal(err)
	}
	reqs := r.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	req := reqs[0]
	if got, want := req.Header.Get(HeaderSignature), Sign([]byte("s3cret"), req.Body); got != want || !strings.HasPrefix(got, "sha256=") {
		t.Errorf("signature %q, want %q", got, want)
	}
	if req.Header.Get(HeaderEvent) != "rollout_halted" || req.Header.Get(HeaderDelivery) != "0123456789abcdef" ||
		req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers: %v", req.Header)
	}
	var p WebhookPayload
	if err := json.Unmarshal(req.Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.FormatVersion != "1" || p.Sink != "ops" || p.Severity != "critical" || len(p.Events) != 1 || p.Events[0].Policy != "linux_security" {
		t.Errorf("payload: %+v", p)
	}
	golden(t, "webhook.json", indent(t, json.RawMessage(req.Body)))
}

// TestSlackAndTeamsShapes: Slack gets Block Kit (header, section,
// context), Teams a workflow message with an Adaptive Card.
func TestSlackAndTeamsShapes(t *testing.T) {
	for _, typ := range []string{"slack", "teams"} {
		t.Run(typ, func(t *testing.T) {
			r := notifytest.NewReceiver(t)
			f := filepath.Join(t.TempDir(), "url")
			if err := os.WriteFile(f, []byte(r.URL()), 0o600); err != nil {
				t.Fatal(err)
			}
			s := notify.Spec{Name: typ, Type: typ, URL: notify.Secret{File: f}}
			snd, _ := New(s)
			if err := snd.Send(context.Background(), halted(s)); err != nil {
				t.Fatal(err)
			}
			body := r.Requests()[0].Body
			switch typ {
			case "slack":
				var m SlackMessage
				if err := json.Unmarshal(body, &m); err != nil || m.Text == "" || len(m.Blocks) != 3 ||
					m.Blocks[0].Type != "header" || m.Blocks[0].Text.Type != "plain_text" || m.Blocks[1].Type != "section" ||
					m.Blocks[1].Text.Type != "mrkdwn" || !strings.Contains(m.Blocks[1].Text.Text, "&lt;&amp;&gt;") {
					t.Errorf("slack body %s: %v", body, err)
				}
			case "teams":
				var m TeamsMessage
				if err := json.Unmarshal(body, &m); err != nil || m.Type != "message" || len(m.Attachments) != 1 ||
					m.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
					m.Attachments[0].Content.Type != "AdaptiveCard" || m.Attachments[0].Content.Version != "1.4" {
					t.Errorf("teams body %s: %v", body, err)
				}
			}
			golden(t, typ+".json", indent(t, json.RawMessage(body)))
		})
	}
}

// TestErrorsHideTheURL: a refused connection or an error status is an
// error that never quotes the URL (the secret part of a Slack webhook).
func TestErrorsHideTheURL(t *testing.T) {
	r := notifytest.NewReceiver(t)
	r.Status = http.StatusInternalServerError
	secretURL := r.URL() + "/T000/B000/very-secret-token"
	t.Setenv("TEST_SLACK_URL", secretURL)
	s := notify.Spec{Name: "s", Type: "slack", URL: notify.Secret{Env: "TEST_SLACK_URL"}}
	snd, _ := New(s)
	err := snd.Send(context.Background(), halted(s))
	if err == nil || !strings.Contains(err.Error(), "500") || strings.Contains(err.Error(), "very-secret-token") {
		t.Errorf("error status: %v", err)
	}
	r.Stop()
	err = snd.Send(context.Background(), halted(s))
	if err == nil || strings.Contains(err.Error(), "very-secret-token") || strings.Contains(err.Error(), "/hook") {
		t.Errorf("connection refused: %v", err)
	}
	t.Setenv("TEST_SLACK_URL", "")
	if err := snd.Send(context.Background(), halted(s)); err == nil || !strings.Contains(err.Error(), "TEST_SLACK_URL is not set") {
		t.Errorf("missing url: %v", err)
	}
}

// TestEmailOverSTARTTLS sends through a real SMTP server on loopback that
// requires STARTTLS, checking its certificate against ca_file.
func TestEmailOverSTARTTLS(t *testing.T) {
	srv := notifytest.StartSMTP(t)
	s := notify.Spec{Name: "mail", Type: "email", SMTP: &notify.SMTP{Host: srv.Host, Port: srv.Port, TLS: "starttls",
		CAFile: srv.CAFile, From: "tend@example.com", To: []string{"ops@example.com", "acme@example.com"}}}
	snd, _ := New(s)
	if err := snd.Send(context.Background(), halted(s)); err != nil {
		t.Fatal(err)
	}
	mails := srv.WaitMails(t, time.Minute, func(m []string) bool { return len(m) == 1 })
	for _, want := range []string{"Subject: [tend] critical: Rollout halted: the rollout of policy", "To: <ops@example.com>, <acme@example.com>",
		"X-Tend-Delivery: 0123456789abcdef", "web_1/apt/nginx: dpkg returned an error code (1)"} {
		if !strings.Contains(mails[0], want) {
			t.Errorf("mail lacks %q:\n%s", want, mails[0])
		}
	}
	golden(t, "email.txt", []byte(EmailBody(halted(s))))

	// Without the CA the server's self-signed certificate is refused: no
	// mail goes out in the clear or to an unverified server.
	s.SMTP.CAFile = ""
	snd, _ = New(s)
	if err := snd.Send(context.Background(), halted(s)); err == nil {
		t.Error("sent to a server whose certificate is not trusted")
	}
}

// TestEmailAuth: SMTP AUTH after STARTTLS with the password from the
// environment; a wrong password is refused and the error does not show it.
func TestEmailAuth(t *testing.T) {
	srv := notifytest.StartSMTPAuth(t, "tend", "mail-pw")
	t.Setenv("TEST_SMTP_PASSWORD", "mail-pw")
	s := notify.Spec{Name: "mail", Type: "email", SMTP: &notify.SMTP{Host: srv.Host, Port: srv.Port, TLS: "starttls",
		CAFile: srv.CAFile, Username: "tend", Password: notify.Secret{Env: "TEST_SMTP_PASSWORD"},
		From: "tend@example.com", To: []string{"ops@example.com"}}}
	snd, _ := New(s)
	if err := snd.Send(context.Background(), halted(s)); err != nil {
		t.Fatal(err)
	}
	srv.WaitMails(t, time.Minute, func(m []string) bool { return len(m) == 1 })
	t.Setenv("TEST_SMTP_PASSWORD", "wrong-pw")
	err := snd.Send(context.Background(), halted(s))
	if err == nil || strings.Contains(err.Error(), "wrong-pw") {
		t.Errorf("wrong password: %v", err)
	}
}

package webhook

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"
)

var secret = []byte("s3cret-webhook-key-5d41402a")

const (
	ghAfter   = "9f2c3e8a1b7d4c6e0f5a2b3c4d5e6f708192a3b4"
	glAfter   = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
	sha256ID  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	zeroID    = "0000000000000000000000000000000000000000"
	ghID      = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
	glID      = "9cebe914-4827-408f-b014-cfa23a47a35f"
	badToken  = "not-the-secret-7f3a"
	otherSign = "sha256=aaaa"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func github(sig, event string) map[string]string {
	return map[string]string{
		"Content-Type":        "application/json",
		"X-GitHub-Event":      event,
		"X-GitHub-Delivery":   ghID,
		"X-Hub-Signature-256": sig,
	}
}

func gitlab(token, event string) map[string]string {
	return map[string]string{
		"Content-Type":        "application/json",
		"X-Gitlab-Event":      event,
		"X-Gitlab-Event-UUID": glID,
		"X-Gitlab-Token":      token,
	}
}

func generic(sig string) map[string]string {
	return map[string]string{"X-Tend-Signature": sig, "X-Request-Id": "req-1"}
}

func TestHandler(t *testing.T) {
	ghBody := fixture(t, "github_push.json")
	glBody := fixture(t, "gitlab_push.json")
	ghSig := Sign(secret, ghBody)
	signed := func(body string) ([]byte, string) { return []byte(body), Sign(secret, []byte(body)) }
	devBody, devSig := signed(`{"ref":"refs/heads/dev","after":"` + ghAfter + `"}`)
	tagBody, tagSig := signed(`{"ref":"refs/tags/v1.0.0","after":"` + ghAfter + `"}`)
	delBody, delSig := signed(`{"ref":"refs/heads/main","after":"` + zeroID + `","deleted":true}`)
	badJSON, badJSONSig := signed(`{"ref":"refs/heads/main",`)
	badAfter, badAfterSig := signed(`{"ref":"refs/heads/main","after":"9f2c3e8"}`)
	nonHex, nonHexSig := signed(`{"ref":"refs/heads/main","after":"zf2c3e8a1b7d4c6e0f5a2b3c4d5e6f708192a3b4"}`)
	noRef, noRefSig := signed(`{"after":"` + ghAfter + `"}`)
	upper, upperSig := signed(`{"ref":"refs/heads/main","after":"` + strings.ToUpper(ghAfter) + `"}`)
	sha256Body, sha256Sig := signed(`{"ref":"refs/heads/main","after":"` + sha256ID + `"}`)
	genBody, genSig := signed(`{"ref":"refs/heads/main","after":"` + ghAfter + `"}`)
	genNoRef, genNoRefSig := signed(`{"after":"` + ghAfter + `"}`)
	genEmpty, genEmptySig := signed(`{}`)
	glChk := []byte(`{"object_kind":"push","ref":"refs/heads/main","after":"` + ghAfter + `","checkout_sha":"` + glAfter + `"}`)
	glDel := []byte(`{"object_kind":"push","ref":"refs/heads/main","after":"` + zeroID + `","checkout_sha":null}`)
	glSys := []byte(`{"object_kind":"push","event_name":"push","ref":"refs/heads/main","after":"` + glAfter + `"}`)
	glSysOther := []byte(`{"object_kind":"repository_update","event_name":"repository_update"}`)
	emptyKeySig := Sign(nil, ghBody)
	oversize := make([]byte, 1<<20+1)

	ghPush := &Push{Source: SourceGitHub, Ref: "refs/heads/main", After: ghAfter, Delivery: ghID}
	tests := []struct {
		name     string
		method   string // POST if empty
		header   map[string]string
		body     []byte
		noSecret bool
		branch   string // "main" if empty
		status   int
		result   string
		msg      string
		push     *Push // want Trigger called once with this; nil: not called
	}{
		// GitHub
		{name: "github push", header: github(ghSig, "push"), body: ghBody,
			status: 202, result: ResultAccepted, msg: "accepted 9f2c3e8", push: ghPush},
		{name: "github push, branch given as full ref", header: github(ghSig, "push"), body: ghBody, branch: "refs/heads/main",
			status: 202, result: ResultAccepted, msg: "accepted 9f2c3e8", push: ghPush},
		{name: "github wrong secret", header: github(Sign([]byte("wrong"), ghBody), "push"), body: ghBody,
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "github tampered body", header: github(ghSig, "push"), body: bytes.Replace(ghBody, []byte("9f2c3e8a"), []byte("0badc0de"), 1),
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "github signature without prefix", header: github(strings.TrimPrefix(ghSig, "sha256="), "push"), body: ghBody,
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "github sha1 prefix", header: github("sha1="+strings.TrimPrefix(ghSig, "sha256="), "push"), body: ghBody,
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "github signature not hex", header: github("sha256=zz", "push"), body: ghBody,
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "github signature truncated", header: github(ghSig[:40], "push"), body: ghBody,
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "github ping", header: github(Sign(secret, []byte(`{"zen":"Keep it logically awesome."}`)), "ping"), body: []byte(`{"zen":"Keep it logically awesome."}`),
			status: 200, result: ResultIgnored, msg: "pong: webhook authenticated"},
		{name: "github ping with bad signature", header: github(otherSign, "ping"), body: []byte(`{}`),
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "github other event", header: github(ghSig, "pull_request"), body: ghBody,
			status: 202, result: ResultIgnored, msg: `ignored: "pull_request" event, only push is handled`},
		{name: "github other event, bad signature", header: github(otherSign, "issues"), body: ghBody,
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "github missing event", header: github(ghSig, ""), body: ghBody,
			status: 400, result: ResultBadRequest, msg: "missing X-GitHub-Event header"},
		{name: "github other branch", header: github(devSig, "push"), body: devBody,
			status: 202, result: ResultIgnored, msg: "ignored: push to refs/heads/dev, following refs/heads/main"},
		{name: "github tag", header: github(tagSig, "push"), body: tagBody,
			status: 202, result: ResultIgnored, msg: "ignored: push to refs/tags/v1.0.0, following refs/heads/main"},
		{name: "github branch deletion", header: github(delSig, "push"), body: delBody,
			status: 202, result: ResultIgnored, msg: "ignored: branch deletion"},
		{name: "github bad JSON", header: github(badJSONSig, "push"), body: badJSON,
			status: 400, result: ResultBadRequest, msg: "invalid JSON payload: unexpected end of JSON input"},
		{name: "github short after", header: github(badAfterSig, "push"), body: badAfter,
			status: 400, result: ResultBadRequest, msg: `invalid commit id "9f2c3e8" in payload: want 40 or 64 hex digits`},
		{name: "github non-hex after", header: github(nonHexSig, "push"), body: nonHex,
			status: 400, result: ResultBadRequest, msg: `invalid commit id "zf2c3e8a1b7d4c6e0f5a2b3c4d5e6f708192a3b4" in payload: want 40 or 64 hex digits`},
		{name: "github no ref", header: github(noRefSig, "push"), body: noRef,
			status: 400, result: ResultBadRequest, msg: `push payload has no "ref"`},
		{name: "github upper-case after", header: github(upperSig, "push"), body: upper,
			status: 202, result: ResultAccepted, msg: "accepted 9f2c3e8", push: ghPush},
		{name: "github sha256 repository", header: github(sha256Sig, "push"), body: sha256Body,
			status: 202, result: ResultAccepted, msg: "accepted 0123456",
			push: &Push{Source: SourceGitHub, Ref: "refs/heads/main", After: sha256ID, Delivery: ghID}},
		{name: "github form-encoded", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-GitHub-Event": "push", "X-Hub-Signature-256": Sign(secret, []byte("payload=%7B%7D"))}, body: []byte("payload=%7B%7D"),
			status: 400, result: ResultBadRequest, msg: "form-encoded payload: set the webhook's content type to application/json"},

		// GitLab
		{name: "gitlab push", header: gitlab(string(secret), "Push Hook"), body: glBody,
			status: 202, result: ResultAccepted, msg: "accepted da15608",
			push: &Push{Source: SourceGitLab, Ref: "refs/heads/main", After: glAfter, Delivery: glID}},
		{name: "gitlab bad token", header: gitlab(badToken, "Push Hook"), body: glBody,
			status: 401, result: ResultUnauthorized, msg: "invalid token"},
		{name: "gitlab token with extra byte", header: gitlab(string(secret)+"x", "Push Hook"), body: glBody,
			status: 401, result: ResultUnauthorized, msg: "invalid token"},
		{name: "gitlab prefers checkout_sha", header: gitlab(string(secret), "Push Hook"), body: glChk,
			status: 202, result: ResultAccepted, msg: "accepted da15608",
			push: &Push{Source: SourceGitLab, Ref: "refs/heads/main", After: glAfter, Delivery: glID}},
		{name: "gitlab branch deletion", header: gitlab(string(secret), "Push Hook"), body: glDel,
			status: 202, result: ResultIgnored, msg: "ignored: branch deletion"},
		{name: "gitlab system hook push", header: gitlab(string(secret), "System Hook"), body: glSys,
			status: 202, result: ResultAccepted, msg: "accepted da15608",
			push: &Push{Source: SourceGitLab, Ref: "refs/heads/main", After: glAfter, Delivery: glID}},
		{name: "gitlab system hook other", header: gitlab(string(secret), "System Hook"), body: glSysOther,
			status: 202, result: ResultIgnored, msg: "ignored: system hook is not a push"},
		{name: "gitlab tag push", header: gitlab(string(secret), "Tag Push Hook"), body: glBody,
			status: 202, result: ResultIgnored, msg: `ignored: "Tag Push Hook" event, only Push Hook is handled`},
		{name: "gitlab merge request, bad token", header: gitlab(badToken, "Merge Request Hook"), body: glBody,
			status: 401, result: ResultUnauthorized, msg: "invalid token"},
		{name: "gitlab bad JSON", header: gitlab(string(secret), "Push Hook"), body: []byte("not json"),
			status: 400, result: ResultBadRequest, msg: "invalid JSON payload: invalid character 'o' in literal null (expecting 'u')"},

		// Generic
		{name: "generic", header: generic(genSig), body: genBody,
			status: 202, result: ResultAccepted, msg: "accepted 9f2c3e8",
			push: &Push{Source: SourceGeneric, Ref: "refs/heads/main", After: ghAfter, Delivery: "req-1"}},
		{name: "generic without ref", header: generic(genNoRefSig), body: genNoRef,
			status: 202, result: ResultAccepted, msg: "accepted 9f2c3e8",
			push: &Push{Source: SourceGeneric, Ref: "refs/heads/main", After: ghAfter, Delivery: "req-1"}},
		{name: "generic without ref or after", header: generic(genEmptySig), body: genEmpty,
			status: 202, result: ResultAccepted, msg: "accepted refs/heads/main",
			push: &Push{Source: SourceGeneric, Ref: "refs/heads/main", Delivery: "req-1"}},
		{name: "generic bad signature", header: generic(Sign([]byte("wrong"), genBody)), body: genBody,
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "generic other branch", header: generic(devSig), body: devBody,
			status: 202, result: ResultIgnored, msg: "ignored: push to refs/heads/dev, following refs/heads/main"},

		// Whatever the source
		{name: "missing auth header", header: map[string]string{"X-GitHub-Event": "push"}, body: ghBody,
			status: 401, result: ResultUnauthorized, msg: msgMissingAuth},
		{name: "empty secret", noSecret: true, header: github(emptyKeySig, "push"), body: ghBody,
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "empty secret, empty gitlab token", noSecret: true, header: gitlab("", "Push Hook"), body: glBody,
			status: 401, result: ResultUnauthorized, msg: "invalid signature"},
		{name: "no branch configured", branch: "-", header: github(ghSig, "push"), body: ghBody,
			status: 202, result: ResultIgnored, msg: "ignored: no branch configured"},
		{name: "GET", method: http.MethodGet, header: github(ghSig, "push"),
			status: 405, result: ResultMethodNotAllowed, msg: "method not allowed: send a POST"},
		{name: "PUT", method: http.MethodPut, header: github(ghSig, "push"), body: ghBody,
			status: 405, result: ResultMethodNotAllowed, msg: "method not allowed: send a POST"},
		{name: "oversize", header: github(otherSign, "push"), body: oversize,
			status: 413, result: ResultTooLarge, msg: "payload too large: limit is 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := logrus.New()
			log.Out = &logs
			log.Level = logrus.DebugLevel
			var pushes []Push
			var results []string
			h := &Handler{
				Secret:  secret,
				Branch:  "main",
				Trigger: func(p Push) { pushes = append(pushes, p) },
				Observe: func(r string) { results = append(results, r) },
				Log:     log,
			}
			if tt.noSecret {
				h.Secret = nil
			}
			if tt.branch == "-" {
				h.Branch = ""
			} else if tt.branch != "" {
				h.Branch = tt.branch
			}
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			req := httptest.NewRequest(method, "/webhook", bytes.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Body.String(); got != tt.msg+"\n" {
				t.Errorf("body = %q, want %q", got, tt.msg+"\n")
			}
			if got := rec.Header().Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			if allow := rec.Header().Get("Allow"); (tt.status == 405) != (allow == "POST") {
				t.Errorf("Allow = %q with status %d", allow, rec.Code)
			}
			if diff := cmp.Diff([]string{tt.result}, results); diff != "" {
				t.Errorf("Observe calls (-want +got):\n%s", diff)
			}
			var want []Push
			if tt.push != nil {
				want = []Push{*tt.push}
			}
			if diff := cmp.Diff(want, pushes); diff != "" {
				t.Errorf("Trigger calls (-want +got):\n%s", diff)
			}
			// No credential ever reaches the log.
			for _, c := range []string{string(secret), tt.header["X-Hub-Signature-256"], tt.header["X-Gitlab-Token"], tt.header["X-Tend-Signature"]} {
				if c != "" && strings.Contains(logs.String(), c) {
					t.Errorf("log contains credential %q:\n%s", c, logs.String())
				}
			}
			if !strings.Contains(logs.String(), "result="+tt.result) {
				t.Errorf("log has no result=%s entry:\n%s", tt.result, logs.String())
			}
		})
	}
}

// A Handler with only Secret and Branch set must not panic.
func TestHandlerOptionalFields(t *testing.T) {
	body := []byte(`{"ref":"refs/heads/main","after":"` + ghAfter + `"}`)
	h := &Handler{Secret: secret, Branch: "main"}
	for _, sig := range []string{Sign(secret, body), otherSign} {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Tend-Signature", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 202 && rec.Code != 401 {
			t.Errorf("status = %d", rec.Code)
		}
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		secret, body, want string
	}{
		// Example from GitHub's "Validating webhook deliveries".
		{"It's a Secret to Everybody", "Hello, World!", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"},
		// RFC 4231 test case 2.
		{"Jefe", "what do ya want for nothing?", "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	}
	for _, tt := range tests {
		if got := Sign([]byte(tt.secret), []byte(tt.body)); got != tt.want {
			t.Errorf("Sign(%q, %q) = %s, want %s", tt.secret, tt.body, got, tt.want)
		}
		if !validSignature([]byte(tt.secret), []byte(tt.body), tt.want) {
			t.Errorf("validSignature rejects %s", tt.want)
		}
	}
}

func TestBranchRef(t *testing.T) {
	tests := map[string]string{
		"main":             "refs/heads/main",
		"release/2025":     "refs/heads/release/2025",
		"refs/heads/main":  "refs/heads/main",
		"refs/tags/stable": "refs/tags/stable",
		"":                 "",
	}
	for in, want := range tests {
		if got := branchRef(in); got != want {
			t.Errorf("branchRef(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidToken(t *testing.T) {
	tests := []struct {
		token string
		want  bool
	}{
		{string(secret), true},
		{"", false},
		{string(secret[:len(secret)-1]), false},
		{string(secret) + " ", false},
		{badToken, false},
	}
	for _, tt := range tests {
		if got := validToken(secret, tt.token); got != tt.want {
			t.Errorf("validToken(%q) = %v, want %v", tt.token, got, tt.want)
		}
	}
}

func BenchmarkHandler(b *testing.B) {
	body, err := os.ReadFile("testdata/github_push.json")
	if err != nil {
		b.Fatal(err)
	}
	sig := Sign(secret, body)
	h := &Handler{Secret: secret, Branch: "main", Trigger: func(Push) {}}
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-Hub-Signature-256", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

package webhook

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// FuzzHandler sends arbitrary bodies and events through the whole handler,
// signed or forged, from each source. Whatever comes in: no panic, one
// line of response, a known status, and a push is triggered only when
// authenticated, for the followed branch, with a well-formed commit id.
func FuzzHandler(f *testing.F) {
	for _, name := range []string{"github_push.json", "gitlab_push.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(0), "push", b, true)
		f.Add(uint8(1), "Push Hook", b, true)
		f.Add(uint8(2), "", b, true)
	}
	for _, s := range []string{
		`{}`, `{"ref":"refs/heads/main","after":"` + ghAfter + `"}`,
		`{"ref":"refs/heads/main","after":"` + zeroID + `"}`,
		`{"ref":"refs/heads/main","after":"` + sha256ID + `"}`,
		`{"object_kind":"push","event_name":"push","ref":"refs/heads/main","checkout_sha":null}`,
		`{"ref":1}`, `[`, `null`, "{\"ref\":\"refs/heads/main\\n\\u0000\"}", `{"after":"` + strings.Repeat("a", 1000) + `"}`,
		strings.Repeat("[", 10000),
	} {
		f.Add(uint8(0), "push", []byte(s), true)
		f.Add(uint8(1), "System Hook", []byte(s), true)
		f.Add(uint8(2), "", []byte(s), true)
		f.Add(uint8(0), "ping", []byte(s), false)
	}
	f.Fuzz(func(t *testing.T, source uint8, event string, body []byte, signed bool) {
		sig := Sign(secret, body)
		if !signed {
			sig = Sign([]byte("not the secret"), body)
		}
		var hdr map[string]string
		switch source % 3 {
		case 0:
			hdr = github(sig, event)
		case 1:
			token := string(secret)
			if !signed {
				token = badToken
			}
			hdr = gitlab(token, event)
		default:
			hdr = generic(sig)
		}
		var pushes []Push
		h := &Handler{Secret: secret, Branch: "main", MaxBody: 64 << 10, Trigger: func(p Push) { pushes = append(pushes, p) }}
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		switch rec.Code {
		case 200, 202, 400, 401, 413:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		if resp := rec.Body.String(); strings.Count(resp, "\n") != 1 || !strings.HasSuffix(resp, "\n") {
			t.Fatalf("response is not one line: %q", resp)
		}
		if !signed && (rec.Code != 401 && rec.Code != 413 || len(pushes) > 0) {
			t.Fatalf("forged request answered %d %q", rec.Code, rec.Body.String())
		}
		if len(pushes) > 1 {
			t.Fatalf("%d pushes triggered by one request", len(pushes))
		}
		for _, p := range pushes {
			if p.Ref != "refs/heads/main" {
				t.Fatalf("triggered a push to %q", p.Ref)
			}
			if p.After != "" {
				if id, err := commitID(p.After); err != nil || id != p.After || isZero(p.After) {
					t.Fatalf("triggered a push of %q", p.After)
				}
			}
		}
	})
}

// FuzzSignature: a signature verifies exactly when it is the body's HMAC
// under the secret (hex in either case), and a token exactly when it is
// the secret.
func FuzzSignature(f *testing.F) {
	f.Add([]byte("It's a Secret to Everybody"), []byte("Hello, World!"), "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
	f.Add([]byte("Jefe"), []byte("what do ya want for nothing?"), "sha256=5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843")
	f.Add([]byte{}, []byte{}, "sha256=")
	f.Add(secret, []byte("{}"), "sha1=aaaa")
	f.Add(secret, []byte("{}"), "sha256=zz")
	f.Fuzz(func(t *testing.T, key, body []byte, sig string) {
		want := Sign(key, body)
		if !validSignature(key, body, want) {
			t.Fatalf("Sign's own signature %s does not verify", want)
		}
		// The prefix exactly as GitHub sends it, the hex digits in either case.
		valid := strings.HasPrefix(sig, signaturePrefix) && strings.EqualFold(sig, want)
		if got := validSignature(key, body, sig); got != valid {
			t.Fatalf("validSignature(%q) = %v, Sign = %s", sig, got, want)
		}
		if got := validToken(key, sig); got != (sig == string(key)) {
			t.Fatalf("validToken(%q) = %v with secret %q", sig, got, key)
		}
	})
}

// FuzzParsePayload: the payload parser and commit id check never panic,
// and a commit id that passes is 40 or 64 lower-case hex digits.
func FuzzParsePayload(f *testing.F) {
	for _, name := range []string{"github_push.json", "gitlab_push.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("application/json", b)
	}
	f.Add("application/x-www-form-urlencoded", []byte("payload=%7B%7D"))
	f.Add("application/json; charset=utf-8", []byte(`{"after":"`+strings.ToUpper(ghAfter)+`"}`))
	f.Add("", []byte(`{"checkout_sha":null,"after":"`+sha256ID+`"}`))
	f.Add("text/plain", []byte(`{"ref":{"nested":[1,2,3]}}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		hdr := http.Header{}
		hdr.Set("Content-Type", contentType)
		p, err := parsePayload(hdr, body)
		if err != nil {
			return
		}
		for _, s := range []string{p.After, p.CheckoutSHA} {
			id, err := commitID(s)
			if err != nil {
				if !strings.Contains(err.Error(), "want 40 or 64 hex digits") {
					t.Fatalf("commitID(%q): %v", s, err)
				}
				continue
			}
			if (len(id) != 40 && len(id) != 64) || strings.Trim(id, "0123456789abcdef") != "" {
				t.Fatalf("commitID(%q) = %q", s, id)
			}
		}
	})
}

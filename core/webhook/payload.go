package webhook

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// payload holds the fields tend reads from GitHub, GitLab and generic push
// payloads; everything else is skipped.
type payload struct {
	Ref         string `json:"ref"`
	After       string `json:"after"`
	CheckoutSHA string `json:"checkout_sha"` // GitLab; null on deletion
	ObjectKind  string `json:"object_kind"`  // GitLab
	EventName   string `json:"event_name"`   // GitLab system hooks
}

// parsePayload decodes a JSON push payload. The error is meant for the
// sender, who has already authenticated.
func parsePayload(h http.Header, body []byte) (payload, error) {
	var p payload
	if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		return p, fmt.Errorf("form-encoded payload: set the webhook's content type to application/json")
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, fmt.Errorf("invalid JSON payload: %w", err)
	}
	return p, nil
}

// commitID checks that s is a full commit id (40 hex digits, or 64 in a
// SHA-256 repository) and returns it in lower case.
func commitID(s string) (string, error) {
	if (len(s) == 40 || len(s) == 64) && strings.Trim(s, "0123456789abcdefABCDEF") == "" {
		return strings.ToLower(s), nil
	}
	return "", fmt.Errorf("invalid commit id %q in payload: want 40 or 64 hex digits", clip(s, 70))
}

// isZero reports whether id is the all-zero id Git uses for a deleted ref.
func isZero(id string) bool { return strings.Trim(id, "0") == "" }

// branchRef returns the full ref of branch: "main" gives "refs/heads/main",
// a name already starting with "refs/" is kept.
func branchRef(branch string) string {
	if branch == "" || strings.HasPrefix(branch, "refs/") {
		return branch
	}
	return "refs/heads/" + branch
}

// clip makes an untrusted string safe to log or echo: printable ASCII
// only, at most n bytes.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, s)
}

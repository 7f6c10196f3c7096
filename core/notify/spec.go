package notify

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/config"
)

// Spec is a sink as a message in the outbox records it: the notify block
// without its position, so the worker can send after a restart before any
// configuration is loaded. It holds where secrets are read, never them.
type Spec struct {
	Name        string            `json:"name"`
	Type        string            `json:"type"`
	URL         Secret            `json:"url,omitzero"`
	Secret      Secret            `json:"secret,omitzero"`
	OnlyOn      []string          `json:"only_on,omitempty"`
	MinSeverity string            `json:"severity,omitempty"`
	Match       map[string]string `json:"match,omitempty"`
	Digest      time.Duration     `json:"digest,omitempty"`
	RateLimit   int               `json:"rate_limit,omitempty"`
	// RebootPendingAfter and ExpiringWithin are the thresholds of
	// reboot_pending and exclusion_expiring (and suspend_expiring).
	RebootPendingAfter time.Duration `json:"reboot_pending_after,omitempty"`
	ExpiringWithin     time.Duration `json:"expiring_within,omitempty"`
	// StaleAfter is the threshold of stale: how long since the host's
	// last successful scan (or since it was first seen, never scanned).
	StaleAfter time.Duration `json:"stale_after,omitempty"`
	SMTP       *SMTP         `json:"smtp,omitempty"`
}

// Secret is where a secret is read: a file or an environment variable.
type Secret struct {
	File string `json:"file,omitempty"`
	Env  string `json:"env,omitempty"`
}

// SMTP is an email sink's server and addresses.
type SMTP struct {
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	TLS      string   `json:"tls"`
	CAFile   string   `json:"ca_file,omitempty"`
	Username string   `json:"username,omitempty"`
	Password Secret   `json:"password,omitzero"`
	From     string   `json:"from"`
	To       []string `json:"to"`
}

// Specs returns the configuration's sinks, sorted by name.
func Specs(cfg *config.Config) []Spec {
	var out []Spec
	for _, name := range sortedKeys(cfg.Notify) {
		out = append(out, FromConfig(cfg.Notify[name]))
	}
	return out
}

// FromConfig is the spec of a notify block.
func FromConfig(n *config.Notify) Spec {
	s := Spec{Name: n.Name, Type: n.Type, URL: Secret(n.URL), Secret: Secret(n.Secret), OnlyOn: n.OnlyOn,
		MinSeverity: n.MinSeverity, Match: n.Match, Digest: n.Digest, RateLimit: n.RateLimit,
		RebootPendingAfter: n.RebootPendingAfter, ExpiringWithin: n.ExpiringWithin, StaleAfter: n.StaleAfter}
	if m := n.SMTP; m != nil {
		s.SMTP = &SMTP{Host: m.Host, Port: m.Port, TLS: m.TLS, CAFile: m.CAFile, Username: m.Username,
			Password: Secret(m.Password), From: m.From, To: m.To}
	}
	return s
}

// ErrNoSecret is returned when a secret's file or variable is missing or
// empty.
var ErrNoSecret = errors.New("secret not available")

// Read returns the secret, trimmed of surrounding white space; "" with no
// error when the reference names no place. The error names the place,
// never the value.
func (s Secret) Read() (string, error) {
	switch {
	case s.File != "":
		b, err := os.ReadFile(s.File)
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrNoSecret, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("%w: %s is empty", ErrNoSecret, s.File)
		}
		return v, nil
	case s.Env != "":
		v := strings.TrimSpace(os.Getenv(s.Env))
		if v == "" {
			return "", fmt.Errorf("%w: environment variable %s is not set", ErrNoSecret, s.Env)
		}
		return v, nil
	}
	return "", nil
}

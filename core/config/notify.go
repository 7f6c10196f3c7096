package config

import (
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Notify is a notification sink: where tend serve tells people about what
// needs them (a halted rollout, a rejected configuration, …).
type Notify struct {
	Name string
	// Type is one of NotifyTypes.
	Type string
	// URL is the webhook's address (webhook, slack, teams); Secret the
	// key a generic webhook's body is signed with. Both come from a file
	// or the environment of tend serve, never from the repository.
	URL, Secret SecretRef
	// OnlyOn lists the event kinds sent (all of EventKinds when empty);
	// MinSeverity drops events below it.
	OnlyOn      []string
	MinSeverity string
	// Match selects events by their hosts' labels (every label must
	// equal); empty matches every event, the fleet-wide ones included.
	Match map[string]string
	// Digest, when not zero, collects events and sends them as one
	// message at most this often.
	Digest time.Duration
	// RateLimit is the most messages sent per hour (0: no limit); the
	// others wait in the outbox.
	RateLimit int
	// RebootPendingAfter is how long a reboot may be pending before it is
	// worth a message; ExpiringWithin how close to its end an exclusion
	// (or suspend) is announced.
	RebootPendingAfter, ExpiringWithin time.Duration
	// StaleAfter is how long a host may go without a successful scan
	// before it is worth a message (the stale event).
	StaleAfter time.Duration
	// SMTP is set for type "email".
	SMTP      *SMTP
	DeclRange hcl.Range
}

// SecretRef names where a secret is read when it is needed: a file, or an
// environment variable of tend serve. Both empty means none.
type SecretRef struct {
	File, Env string
}

// Set reports whether the reference names a place.
func (s SecretRef) Set() bool { return s.File != "" || s.Env != "" }

// SMTP is how an email sink reaches its mail server.
type SMTP struct {
	Host string
	Port int
	// TLS is "starttls" (required; the default), "tls" (implicit TLS,
	// port 465) or "none" (only for a relay on the loopback).
	TLS string
	// CAFile, when set, is the PEM bundle the server's certificate is
	// checked against instead of the system's.
	CAFile   string
	Username string
	Password SecretRef
	From     string
	To       []string
}

// Notification sink types.
const (
	NotifyWebhook = "webhook"
	NotifySlack   = "slack"
	NotifyTeams   = "teams"
	NotifyEmail   = "email"
)

// NotifyTypes are the sink types, for diagnostics and docs.
var NotifyTypes = []string{NotifyWebhook, NotifySlack, NotifyTeams, NotifyEmail}

// EventKinds are the events tend serve notifies about (see core/notify).
var EventKinds = []string{
	"config_rejected", "apply_failed", "rollout_halted", "scan_failed",
	"health_check_failed", "drift", "reboot_pending", "exclusion_expiring", "suspend_expiring",
	"stale", "unmanaged_agent", "agent_stale",
}

// Severities are the events' severities, lowest first.
var Severities = []string{"info", "warning", "critical"}

// Defaults of a notify block.
const (
	DefaultRebootPendingAfter = 24 * time.Hour
	DefaultExpiringWithin     = 7 * 24 * time.Hour
	DefaultStaleAfter         = 24 * time.Hour
)

var notifySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type", Required: true},
		{Name: "url"}, {Name: "url_file"}, {Name: "url_env"},
		{Name: "secret"}, {Name: "secret_file"}, {Name: "secret_env"},
		{Name: "only_on"}, {Name: "severity"}, {Name: "match"},
		{Name: "digest"}, {Name: "rate_limit"},
		{Name: "reboot_pending_after"}, {Name: "expiring_within"}, {Name: "stale_after"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "smtp"}},
}

var smtpSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "host", Required: true}, {Name: "port"}, {Name: "tls"}, {Name: "ca_file"},
		{Name: "username"}, {Name: "password"}, {Name: "password_file"}, {Name: "password_env"},
		{Name: "from", Required: true}, {Name: "to", Required: true},
	},
}

// decodeNotify decodes a notify block.
func decodeNotify(block *hcl.Block) (*Notify, hcl.Diagnostics) {
	n := &Notify{Name: block.Labels[0], MinSeverity: "info", DeclRange: block.DefRange,
		RebootPendingAfter: DefaultRebootPendingAfter, ExpiringWithin: DefaultExpiringWithin, StaleAfter: DefaultStaleAfter}
	content, diags := block.Body.Content(notifySchema)
	attrs := content.Attributes
	if a, ok := attrs["type"]; ok {
		var more hcl.Diagnostics
		n.Type, more = attrOneOf(a, NotifyTypes...)
		diags = append(diags, more...)
	}
	var more hcl.Diagnostics
	n.URL, more = secretRef(attrs, "url")
	diags = append(diags, more...)
	n.Secret, more = secretRef(attrs, "secret")
	diags = append(diags, more...)
	diags = append(diags, n.decodeRouting(attrs)...)
	diags = append(diags, n.decodePacing(attrs)...)
	for i, b := range content.Blocks {
		if i > 0 {
			diags = append(diags, errorAt(b.DefRange, "Duplicate smtp block", "A notify block has one smtp block."))
			continue
		}
		n.SMTP, more = decodeSMTP(b)
		diags = append(diags, more...)
	}
	_, literal := attrs["url"]
	return n, append(diags, n.checkType(block, literal)...)
}

// checkType checks that the sink has what its type needs, and nothing
// another type needs.
// literal says the block wrote url itself, which is reported already.
func (n *Notify) checkType(block *hcl.Block, literal bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	switch n.Type {
	case NotifyEmail:
		if n.SMTP == nil {
			diags = append(diags, errorAt(block.DefRange, "Missing smtp block", "A notify block of type \"email\" needs an smtp { host, from, to } block."))
		}
		if n.URL.Set() {
			diags = append(diags, errorAt(block.DefRange, "Unexpected url", "An email sink sends through its smtp block; url_file and url_env are for webhook, slack and teams."))
		}
	case NotifyWebhook, NotifySlack, NotifyTeams:
		if !n.URL.Set() && !literal {
			diags = append(diags, errorAt(block.DefRange, "Missing url",
				"A notify block of type %q needs url_file or url_env: the webhook's address is a secret and stays out of the repository.", n.Type))
		}
		if n.SMTP != nil {
			diags = append(diags, errorAt(block.DefRange, "Unexpected smtp block", "Only a notify block of type \"email\" has an smtp block."))
		}
	}
	if n.Secret.Set() && n.Type != NotifyWebhook && n.Type != "" {
		diags = append(diags, errorAt(block.DefRange, "Unexpected secret", "Only a generic webhook signs its body (secret_file, secret_env)."))
	}
	return diags
}

// decodeRouting decodes which events a sink gets.
func (n *Notify) decodeRouting(attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if a, ok := attrs["only_on"]; ok {
		kinds, more := attrStrings(a)
		for _, k := range kinds {
			if !slices.Contains(EventKinds, k) {
				detail := "only_on lists event kinds: " + quoteList(EventKinds) + "."
				if s := suggest(k, EventKinds); s != "" {
					detail = "Did you mean \"" + s + "\"? " + detail
				}
				more = append(more, errorAt(a.Expr.Range(), "Unknown event kind", "%q is no event kind. %s", k, detail))
			}
		}
		n.OnlyOn = kinds
		diags = append(diags, more...)
	}
	if a, ok := attrs["severity"]; ok {
		s, more := attrOneOf(a, Severities...)
		if !more.HasErrors() {
			n.MinSeverity = s
		}
		diags = append(diags, more...)
	}
	if a, ok := attrs["match"]; ok {
		m, more := attrLabels(a)
		n.Match = m
		diags = append(diags, more...)
	}
	return diags
}

// decodePacing decodes how often a sink sends and its thresholds.
func (n *Notify) decodePacing(attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for name, dst := range map[string]*time.Duration{"digest": &n.Digest,
		"reboot_pending_after": &n.RebootPendingAfter, "expiring_within": &n.ExpiringWithin, "stale_after": &n.StaleAfter} {
		if a, ok := attrs[name]; ok {
			d, _, more := attrDuration(a)
			if !more.HasErrors() {
				*dst = d
			}
			diags = append(diags, more...)
		}
	}
	if a, ok := attrs["rate_limit"]; ok {
		v, more := attrInt(a)
		if !more.HasErrors() && v < 0 {
			more = append(more, errorAt(a.Expr.Range(), "Invalid rate limit", "rate_limit is the most messages per hour; 0 (the default) sets no limit."))
		}
		n.RateLimit = v
		diags = append(diags, more...)
	}
	return diags
}

// secretRef decodes NAME_file and NAME_env; NAME itself (the secret in the
// repository) is refused.
func secretRef(attrs hcl.Attributes, name string) (SecretRef, hcl.Diagnostics) {
	var ref SecretRef
	var diags hcl.Diagnostics
	if a, ok := attrs[name]; ok {
		diags = append(diags, errorAt(a.NameRange, "Secret in the repository",
			"%s would put a secret in Git; name where tend serve reads it: %s_file = \"/etc/tend/…\" or %s_env = \"VARIABLE\".", name, name, name))
	}
	f, hasFile := attrs[name+"_file"]
	e, hasEnv := attrs[name+"_env"]
	if hasFile && hasEnv {
		diags = append(diags, errorAt(e.NameRange, "Conflicting secret sources", "Use %s_file or %s_env, not both.", name, name))
	}
	for a, dst := range map[*hcl.Attribute]*string{f: &ref.File, e: &ref.Env} {
		if a == nil {
			continue
		}
		s, more := attrString(a)
		if !more.HasErrors() && s == "" {
			more = append(more, errorAt(a.Expr.Range(), "Empty value", "%s must not be empty.", a.Name))
		}
		*dst = s
		diags = append(diags, more...)
	}
	return ref, diags
}

// decodeSMTP decodes an email sink's smtp block.
func decodeSMTP(block *hcl.Block) (*SMTP, hcl.Diagnostics) {
	s := &SMTP{Port: 587, TLS: "starttls"}
	content, diags := block.Body.Content(smtpSchema)
	attrs := content.Attributes
	for name, dst := range map[string]*string{"host": &s.Host, "ca_file": &s.CAFile, "username": &s.Username, "from": &s.From} {
		if a, ok := attrs[name]; ok {
			v, more := attrString(a)
			*dst = v
			diags = append(diags, more...)
		}
	}
	if a, ok := attrs["port"]; ok {
		v, more := attrInt(a)
		if !more.HasErrors() && (v < 1 || v > 65535) {
			more = append(more, errorAt(a.Expr.Range(), "Invalid port", "port must be between 1 and 65535."))
		}
		s.Port = v
		diags = append(diags, more...)
	}
	if a, ok := attrs["tls"]; ok {
		v, more := attrOneOf(a, "starttls", "tls", "none")
		if !more.HasErrors() {
			s.TLS = v
		}
		if v == "none" && s.Host != "" && !slices.Contains([]string{"localhost", "127.0.0.1", "::1"}, s.Host) {
			more = append(more, errorAt(a.Expr.Range(), "Mail in the clear",
				"tls = \"none\" sends the password and the mail unencrypted; it is allowed only for a relay on this machine (host = \"localhost\", \"127.0.0.1\" or \"::1\"), not %q.", s.Host))
		}
		diags = append(diags, more...)
	}
	if a, ok := attrs["to"]; ok {
		v, more := attrStrings(a)
		if !more.HasErrors() && len(v) == 0 {
			more = append(more, errorAt(a.Expr.Range(), "No recipients", "to must name at least one address."))
		}
		s.To = v
		diags = append(diags, more...)
	}
	var more hcl.Diagnostics
	s.Password, more = secretRef(attrs, "password")
	diags = append(diags, more...)
	if s.Password.Set() && s.Username == "" {
		diags = append(diags, errorAt(block.DefRange, "Missing username", "A password goes with username."))
	}
	return s, diags
}

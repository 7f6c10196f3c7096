package config

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/tend-sh/tend/core/agentwire"
)

// Transports a host can be reached with.
const (
	TransportLocal = "local"
	TransportSSH   = "ssh"
	// TransportAgent hosts run `tend agent` and are reached through the
	// controller's NATS connection (tend serve --nats); they need no address.
	TransportAgent = "agent"
)

// Host is a machine tend patches, from a `host` block or a `hosts` list.
type Host struct {
	Name      string
	Transport string
	Address   string
	SSH       *SSH
	Labels    map[string]string
	// List names the `hosts` block the host came from, empty for `host`.
	List string
	// Suspend, when set and not expired, stops every apply on the host.
	Suspend   *Suspend
	DeclRange hcl.Range
}

// SSH holds how to reach a host over SSH.
type SSH struct {
	User           string
	IdentityFile   string
	KnownHostsFile string
	Port           int
	Sudo           bool
	// Shell is the remote's default shell, which parses the command
	// string: ShellPOSIX (the default), ShellCmd or ShellPowerShell.
	Shell     string
	DeclRange hcl.Range
}

// Shells an ssh block's shell may name: what the remote sshd hands the
// command string to.
const (
	ShellPOSIX      = "posix"
	ShellCmd        = "cmd"
	ShellPowerShell = "powershell"
)

var hostSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "transport"}, {Name: "address"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "ssh"}, {Type: "suspend"}},
}

var sshSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "user"}, {Name: "identity_file"}, {Name: "known_hosts_file"}, {Name: "port"}, {Name: "sudo"},
		{Name: "shell"},
	},
}

// decodeHost decodes a host block. The transport defaults to ssh when the
// host has an address, local otherwise.
func decodeHost(block *hcl.Block) (*Host, hcl.Diagnostics) {
	h := &Host{Name: block.Labels[0], Labels: map[string]string{}, DeclRange: block.DefRange}
	content, diags := block.Body.Content(hostSchema)
	var more hcl.Diagnostics
	if a, ok := content.Attributes["address"]; ok {
		h.Address, more = attrString(a)
		diags = append(diags, more...)
	}
	h.Transport = TransportLocal
	if h.Address != "" {
		h.Transport = TransportSSH
	}
	if a, ok := content.Attributes["transport"]; ok {
		diags = append(diags, decodeTransport(h, a)...)
	}
	if a, ok := content.Attributes["labels"]; ok {
		m, more := attrLabels(a)
		if !more.HasErrors() {
			h.Labels = m
		}
		diags = append(diags, more...)
	}
	var sshBlocks hcl.Blocks
	for _, b := range content.Blocks {
		if b.Type == "ssh" {
			sshBlocks = append(sshBlocks, b)
		}
	}
	h.SSH, more = decodeSSH(sshBlocks)
	diags = append(diags, more...)
	h.Suspend, more = decodeSuspends(content.Blocks)
	return h, append(diags, more...)
}

// decodeTransport sets the transport a host block names; ssh needs an
// address.
func decodeTransport(h *Host, a *hcl.Attribute) hcl.Diagnostics {
	t, diags := attrOneOf(a, TransportLocal, TransportSSH, TransportAgent)
	if diags.HasErrors() {
		return diags
	}
	h.Transport = t
	if t == TransportAgent {
		if err := agentwire.ValidToken(h.Name); err != nil {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid agent host name", "Host %q uses transport \"agent\": %v.", h.Name, err))
		}
	}
	if t == TransportSSH && h.Address == "" {
		diags = append(diags, errorAt(a.Expr.Range(), "Missing address", "Host %q uses transport \"ssh\" and needs an address.", h.Name))
	}
	return diags
}

// decodeSSH decodes the ssh block among blocks (of a host or a hosts
// list): at most one; nil when there is none.
func decodeSSH(blocks hcl.Blocks) (*SSH, hcl.Diagnostics) {
	var s *SSH
	var diags hcl.Diagnostics
	for _, b := range blocks {
		if s != nil {
			diags = append(diags, errorAt(b.DefRange, "Duplicate ssh block", "Only one ssh block is allowed here."))
			continue
		}
		s = &SSH{Shell: ShellPOSIX, DeclRange: b.DefRange}
		content, more := b.Body.Content(sshSchema)
		diags = append(diags, more...)
		for _, name := range sortedKeys(content.Attributes) {
			diags = append(diags, decodeSSHAttr(s, content.Attributes[name])...)
		}
		diags = append(diags, checkSudoShell(s, content.Attributes)...)
	}
	return s, diags
}

// checkSudoShell refuses sudo on a Windows shell, which has no sudo.
func checkSudoShell(s *SSH, attrs hcl.Attributes) hcl.Diagnostics {
	if !s.Sudo || (s.Shell != ShellCmd && s.Shell != ShellPowerShell) {
		return nil
	}
	return hcl.Diagnostics{errorAt(attrs["sudo"].Expr.Range(), "Sudo needs a POSIX shell",
		"sudo runs commands through sudo -n, which a host whose shell is %q does not have; on Windows, give the SSH user the rights instead (docs/providers/windows.md).", s.Shell)}
}

// decodeSSHAttr sets one attribute of an ssh block.
func decodeSSHAttr(s *SSH, a *hcl.Attribute) hcl.Diagnostics {
	var diags hcl.Diagnostics
	switch a.Name {
	case "user":
		s.User, diags = attrString(a)
	case "identity_file":
		s.IdentityFile, diags = attrString(a)
	case "known_hosts_file":
		s.KnownHostsFile, diags = attrString(a)
	case "port":
		s.Port, diags = attrInt(a)
		if !diags.HasErrors() && (s.Port < 1 || s.Port > 65535) {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid port", "port must be between 1 and 65535; got %d.", s.Port))
		}
	case "sudo":
		s.Sudo, diags = attrBool(a)
	case "shell":
		s.Shell, diags = attrOneOf(a, ShellPOSIX, ShellCmd, ShellPowerShell)
	}
	return diags
}

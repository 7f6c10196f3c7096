package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Hook phases: when a policy's hook runs on a host it applies to.
const (
	HookPre       = "pre"        // before any change; failing skips the host
	HookPost      = "post"       // after the changes (and any reboot); failing fails the host
	HookPreReboot = "pre_reboot" // after the package changes, before the reboot
)

// DefaultHookTimeout bounds a hook without a timeout.
const DefaultHookTimeout = 5 * time.Minute

// Hook is a `hook "PHASE"` block of a policy: a command run on the host
// through its transport (argv, no shell).
type Hook struct {
	Phase   string
	Argv    []string
	Timeout time.Duration
	// Index is the hook's position among the policy's hooks of its phase.
	Index     int
	DeclRange hcl.Range
}

var hookSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "argv", Required: true}, {Name: "timeout"}},
}

// decodeHook decodes a hook block; nil when its phase is unknown. index
// counts the policy's earlier hooks of the same phase.
func decodeHook(b *hcl.Block, index func(phase string) int) (*Hook, hcl.Diagnostics) {
	phase := b.Labels[0]
	switch phase {
	case HookPre, HookPost, HookPreReboot:
	default:
		msg := "hook phase must be \"pre\", \"post\" or \"pre_reboot\"; got %q."
		if s := suggest(phase, []string{HookPre, HookPost, HookPreReboot}); s != "" {
			msg += " Did you mean \"" + s + "\"?"
		}
		return nil, hcl.Diagnostics{errorAt(b.LabelRanges[0], "Unknown hook phase", msg, phase)}
	}
	h := &Hook{Phase: phase, Timeout: DefaultHookTimeout, Index: index(phase), DeclRange: b.DefRange}
	content, diags := b.Body.Content(hookSchema)
	for _, name := range sortedKeys(content.Attributes) {
		a := content.Attributes[name]
		var more hcl.Diagnostics
		switch name {
		case "argv":
			h.Argv, more = attrArgv(a)
		case "timeout":
			var d time.Duration
			d, _, more = attrDuration(a)
			if !more.HasErrors() {
				if d <= 0 {
					more = append(more, errorAt(a.Expr.Range(), "Invalid timeout", "timeout must be longer than zero."))
				} else {
					h.Timeout = d
				}
			}
		}
		diags = append(diags, more...)
	}
	return h, diags
}

// HooksOf returns the policy's hooks of phase, in the order written.
func (p *Policy) HooksOf(phase string) []*Hook {
	var out []*Hook
	for _, h := range p.Hooks {
		if h.Phase == phase {
			out = append(out, h)
		}
	}
	return out
}

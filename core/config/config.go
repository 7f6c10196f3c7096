package config

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/schedule"
	"github.com/zclconf/go-cty/cty"
)

// Config is a fully loaded configuration directory.
type Config struct {
	// Dir is the directory as the caller named it.
	Dir string
	// Sources holds the bytes of every file read (HCL and host lists), by the
	// path used in diagnostics, so diagnostics can quote source lines.
	Sources map[string][]byte
	// Digest is "sha256:<hex>" over every file's relative path and bytes.
	Digest string

	Tend      *Tend
	Providers map[string]*Provider
	Hosts     map[string]*Host
	HostLists map[string]*HostList
	Groups    map[string]*Group
	Windows   map[string]*Window
	Policies  map[string]*Policy
}

// Tend is the optional top-level `tend` block.
type Tend struct {
	ReportsBranch     string
	RequiredProviders map[string]string // name -> version constraint
	DeclRange         hcl.Range
}

// DefaultReportsBranch is used when the tend block does not name one.
const DefaultReportsBranch = "tend/reports"

// Provider is a `provider "NAME"` block. Attributes are kept as values: their
// schema belongs to the provider plugin.
type Provider struct {
	Name       string
	Attributes map[string]cty.Value
	Ranges     map[string]hcl.Range
	DeclRange  hcl.Range
}

// Transports a host can be reached with.
const (
	TransportLocal = "local"
	TransportSSH   = "ssh"
)

// Host is a machine tend patches, from a `host` block or a `hosts` list.
type Host struct {
	Name      string
	Transport string
	Address   string
	SSH       *SSH
	Labels    map[string]string
	// List names the `hosts` block the host came from, empty for `host`.
	List      string
	DeclRange hcl.Range
}

// SSH holds how to reach a host over SSH.
type SSH struct {
	User           string
	IdentityFile   string
	KnownHostsFile string
	Port           int
	Sudo           bool
	DeclRange      hcl.Range
}

// HostList is a `hosts` block: hosts read from a JSON file.
type HostList struct {
	Name      string
	File      string // as written, relative to the declaring file's directory
	Path      string // resolved path
	Labels    map[string]string
	SSH       *SSH
	Hosts     []string
	DeclRange hcl.Range
}

// Group is a label selector over hosts.
type Group struct {
	Name      string
	Match     map[string]string
	DeclRange hcl.Range
}

// Window is a maintenance window.
type Window struct {
	Name      string
	Schedule  *schedule.Window
	DeclRange hcl.Range
}

// Reboot behaviours of a policy.
const (
	RebootNever    = "never"
	RebootIfNeeded = "if_needed"
	RebootAlways   = "always"
)

// Policy is a `policy` block: which hosts, which updates, when and how.
type Policy struct {
	Name      string
	Provider  string
	Targets   []Ref
	Approve   []*Approve
	Reject    []Pattern
	Pin       []*Pin
	Exclude   []*Exclude
	Window    *Ref
	Emergency bool
	Reboot    string
	Rollout   *Rollout
	Health    []*HealthCheck

	// Hosts are the resolved target host names, sorted.
	Hosts         []string
	ProviderRange hcl.Range
	TargetsRange  hcl.Range
	DeclRange     hcl.Range
}

// Ref is a reference such as host.web_1 as written in the config.
type Ref struct {
	Kind  string // "host", "group" or "window"
	Name  string
	Range hcl.Range
}

// String renders the reference as written.
func (r Ref) String() string { return r.Kind + "." + r.Name }

// Pattern is a shell-style glob on package or update identifiers.
type Pattern struct {
	Glob  string
	Range hcl.Range
}

// Approve is one `approve` block; all criteria given must match.
type Approve struct {
	Index          int
	Classification []string
	Severity       []string
	Packages       []Pattern
	After          time.Duration
	AfterText      string
	Until          *time.Time // the approval stops applying after this instant
	UntilText      string
	DeclRange      hcl.Range
}

// Pin holds a package at an exact version.
type Pin struct {
	Package string
	Version string
	Range   hcl.Range // the whole pin map
	// PackageRange and VersionRange are where the entry's key and value are
	// written (the map's range when the map is not written literally).
	PackageRange, VersionRange hcl.Range
}

// Exclude keeps matching updates (on matching hosts) from being installed
// until an expiry.
type Exclude struct {
	Index     int
	Packages  []Pattern
	Targets   []Ref
	Hosts     map[string]bool // resolved from Targets; nil means every host
	Until     *time.Time      // exclusive end instant
	UntilText string
	Reason    string
	DeclRange hcl.Range
}

// Rollout stages a policy's hosts through rings.
type Rollout struct {
	Rings       []*Ring
	MaxParallel Limit
	MaxFailures Limit
	DeclRange   hcl.Range
}

// Ring is one stage of a rollout.
type Ring struct {
	Name    string
	Targets []Ref
	Hosts   map[string]bool // resolved from Targets
	Percent *int            // cumulative share of the policy's hosts
	Soak    time.Duration
	// SoakText is the soak as written, for reasons shown to users.
	SoakText  string
	DeclRange hcl.Range
}

// Limit is a count or a percentage of hosts ("10" or "20%").
type Limit struct {
	Count   int
	Percent int
	Set     bool
}

// String renders the limit as written: "3" or "10%"; "" when unset.
func (l Limit) String() string {
	switch {
	case !l.Set:
		return ""
	case l.Percent > 0:
		return fmt.Sprintf("%d%%", l.Percent)
	}
	return fmt.Sprint(l.Count)
}

// Of returns the limit applied to n hosts, at least 1 when set and n > 0.
func (l Limit) Of(n int) int {
	if !l.Set {
		return n
	}
	if l.Percent == 0 {
		return l.Count
	}
	v := n * l.Percent / 100
	if v < 1 && n > 0 {
		v = 1
	}
	return v
}

// HealthCheck is a `health_check "command"` or `health_check "http"` block.
type HealthCheck struct {
	Type         string
	Argv         []string
	URL          string
	ExpectStatus int
	Timeout      time.Duration
	DeclRange    hcl.Range
}

// HostLabels maps every host that has the label key to its value (the
// "client" label groups an MSP's reports by customer).
func (c *Config) HostLabels(key string) map[string]string {
	out := map[string]string{}
	for name, h := range c.Hosts {
		if v := h.Labels[key]; v != "" {
			out[name] = v
		}
	}
	return out
}

// ReportsBranch returns the configured reports branch or the default.
func (c *Config) ReportsBranch() string {
	if c.Tend != nil && c.Tend.ReportsBranch != "" {
		return c.Tend.ReportsBranch
	}
	return DefaultReportsBranch
}

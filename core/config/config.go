package config

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
	// Freezes are the freeze blocks, by name.
	Freezes map[string]*Freeze
	// Feeds are the vulnerability feeds, by name.
	Feeds map[string]*Feed
	// Advisories are the advisory blocks (tend advise writes them), by name.
	Advisories map[string]*Advisory
	// Notify holds the notification sinks (notify.go).
	Notify map[string]*Notify
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

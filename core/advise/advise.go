// Package advise turns a plan's exposure to exploited or severe CVEs into
// configuration changes: for each selected CVE the fleet is exposed to, an
// advisory file that approves and fast-tracks exactly the updates fixing
// it, on exactly the hosts missing them, with the CVE's facts in comments
// and a pull-request description. It does no I/O.
package advise

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// Selection says which CVEs need an advisory: KEV-listed ones, or those at
// or above a CVSS or EPSS threshold (zero: not used). Any criterion given
// selects.
type Selection struct {
	KEV  bool
	CVSS float64
	EPSS float64
}

// Selects reports whether v is selected.
func (s Selection) Selects(v model.Vuln) bool {
	return (s.KEV && v.KEV) || (s.CVSS > 0 && v.CVSS >= s.CVSS) || (s.EPSS > 0 && v.HasEPSS && v.EPSS >= s.EPSS)
}

// Update is one update on one host that fixes the CVE.
type Update struct {
	Host, Provider, Policy, Package, To string
	// State is how the plan holds it: "not approved" or the deferral's
	// reason.
	State string
}

// Key identifies the update in a plan.
func (u Update) Key() string {
	return u.Host + "\x00" + u.Provider + "\x00" + u.Package + "\x00" + u.To
}

// Held is an update the policy keeps back on purpose (rejected, excluded,
// pinned): an advisory does not override it, so it is only mentioned.
type Held struct {
	Host, Package, To, Reason string
}

// Exposure is one selected CVE the fleet is exposed to: the updates that
// fix it and that the plan does not install now.
type Exposure struct {
	Vuln model.Vuln
	// Updates need the advisory: not approved, or approved and waiting
	// (window, ring, delay). Sorted by host, package.
	Updates []Update
	// Held are the fixes the policy keeps back on purpose.
	Held []Held
}

// Hosts are the hosts of the updates, sorted.
func (e *Exposure) Hosts() []string {
	var hs []string
	for _, u := range e.Updates {
		if !slices.Contains(hs, u.Host) {
			hs = append(hs, u.Host)
		}
	}
	sort.Strings(hs)
	return hs
}

// Branch is the Git branch the advisory is proposed on.
func (e *Exposure) Branch() string { return "tend/advise/" + e.Vuln.ID }

// File is the advisory file's name, in the configuration directory.
func (e *Exposure) File() string { return "advise-" + e.Vuln.ID + ".tend.hcl" }

// notApproved is the planner's reason for an update no block approves.
const notApproved = "not approved by any approve block"

// Exposures lists the selected CVEs whose fixes the plan neither installs
// now nor keeps back on purpose, KEV-listed first, then by CVSS, then ID.
// Updates already actions now (fast lane or an open window) need nothing.
func Exposures(p *model.Plan, sel Selection) []*Exposure {
	byID := map[string]*Exposure{}
	get := func(v model.Vuln) *Exposure {
		e, ok := byID[v.ID]
		if !ok {
			e = &Exposure{Vuln: v}
			byID[v.ID] = e
		}
		return e
	}
	for _, hp := range p.Hosts {
		for _, d := range hp.Deferred {
			for _, v := range d.Vulns {
				if sel.Selects(v) {
					e := get(v)
					e.Updates = append(e.Updates, Update{Host: hp.Host, Provider: hp.Provider, Policy: hp.Policy, Package: d.Package, To: d.To, State: "deferred: " + d.Reason})
				}
			}
		}
		for _, s := range hp.Skipped {
			for _, v := range s.Vulns {
				if !sel.Selects(v) || s.To == "" {
					continue
				}
				e := get(v)
				if s.Reason == notApproved {
					e.Updates = append(e.Updates, Update{Host: hp.Host, Provider: hp.Provider, Policy: hp.Policy, Package: s.Package, To: s.To, State: "not approved"})
				} else {
					e.Held = append(e.Held, Held{Host: hp.Host, Package: s.Package, To: s.To, Reason: s.Reason})
				}
			}
		}
	}
	var out []*Exposure
	for _, e := range byID {
		if len(e.Updates) == 0 {
			continue
		}
		sort.Slice(e.Updates, func(i, j int) bool { return e.Updates[i].Key() < e.Updates[j].Key() })
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Vuln, out[j].Vuln
		if a.KEV != b.KEV {
			return a.KEV
		}
		if a.CVSS != b.CVSS {
			return a.CVSS > b.CVSS
		}
		return a.ID < b.ID
	})
	return out
}

// block is one advisory block: one policy's share of the exposure.
type block struct {
	name, policy string
	packages     []string
	hosts        []string
}

func (e *Exposure) blocks() []block {
	byPolicy := map[string]*block{}
	var names []string
	for _, u := range e.Updates {
		b, ok := byPolicy[u.Policy]
		if !ok {
			b = &block{policy: u.Policy}
			byPolicy[u.Policy] = b
			names = append(names, u.Policy)
		}
		if !slices.Contains(b.packages, u.Package) {
			b.packages = append(b.packages, u.Package)
		}
		if !slices.Contains(b.hosts, u.Host) {
			b.hosts = append(b.hosts, u.Host)
		}
	}
	sort.Strings(names)
	out := make([]block, 0, len(names))
	for _, n := range names {
		b := byPolicy[n]
		b.name = e.Vuln.ID
		if len(names) > 1 {
			b.name += "-" + n
		}
		sort.Strings(b.packages)
		sort.Strings(b.hosts)
		out = append(out, *b)
	}
	return out
}

// facts describes the CVE in one line: "CVSS 8.8 (vector), EPSS 0.9374
// (percentile 0.9984), KEV-listed since 2023-09-13, CISA due date
// 2023-10-04".
func facts(v model.Vuln) string {
	var parts []string
	if v.CVSS > 0 {
		s := fmt.Sprintf("CVSS %.1f", v.CVSS)
		if v.CVSSVector != "" {
			s += " (" + v.CVSSVector + ")"
		}
		parts = append(parts, s)
	}
	if v.HasEPSS {
		s := fmt.Sprintf("EPSS %.4f", v.EPSS)
		if v.EPSSPercentile > 0 {
			s += fmt.Sprintf(" (percentile %.4f)", v.EPSSPercentile)
		}
		parts = append(parts, s)
	}
	if v.KEV {
		s := "KEV-listed"
		if v.KEVAdded != "" {
			s += " since " + v.KEVAdded
		}
		if v.KEVDue != "" {
			s += ", CISA due date " + v.KEVDue
		}
		if v.KEVRansomware {
			s += ", known ransomware use"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "no scores known"
	}
	return strings.Join(parts, ", ")
}

// Render writes the advisory file: one advisory block per policy of the
// exposed hosts, limited to the fixing packages and those hosts, expiring
// at until (a date, inclusive).
func Render(e *Exposure, until time.Time, now time.Time) []byte {
	var b strings.Builder
	v := e.Vuln
	fmt.Fprintf(&b, "# %s: written by tend advise on %s.\n", v.ID, now.UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "# %s.\n", facts(v))
	fmt.Fprintf(&b, "# https://nvd.nist.gov/vuln/detail/%s\n", v.ID)
	b.WriteString("#\n# Fixes not installed yet:\n")
	for _, u := range e.Updates {
		fmt.Fprintf(&b, "#   %s (%s): %s %s, %s\n", u.Host, u.Provider, u.Package, u.To, u.State)
	}
	for _, h := range e.Held {
		fmt.Fprintf(&b, "#   %s: %s %s stays held by its policy (%s)\n", h.Host, h.Package, h.To, h.Reason)
	}
	b.WriteString("#\n# Each advisory approves only the updates of its packages that fix this\n")
	b.WriteString("# CVE, on its hosts, and lets them skip the window and the soak (the fast\n")
	b.WriteString("# lane). Remove this file once the fix is installed everywhere.\n")
	for _, bl := range e.blocks() {
		fmt.Fprintf(&b, "\nadvisory %q {\n", bl.name)
		fmt.Fprintf(&b, "  cve      = %q\n", v.ID)
		fmt.Fprintf(&b, "  policy   = policy.%s\n", bl.policy)
		fmt.Fprintf(&b, "  packages = [%s]\n", quoteList(bl.packages))
		refs := make([]string, len(bl.hosts))
		for i, h := range bl.hosts {
			refs[i] = "host." + h
		}
		fmt.Fprintf(&b, "  targets  = [%s]\n", strings.Join(refs, ", "))
		fmt.Fprintf(&b, "  until    = %q\n", until.UTC().Format("2006-01-02"))
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Title is the pull request's title.
func Title(e *Exposure) string {
	hosts := e.Hosts()
	kev := ""
	if e.Vuln.KEV {
		kev = " (KEV)"
	}
	return fmt.Sprintf("Fast-track the fix for %s%s on %d %s", e.Vuln.ID, kev, len(hosts), plural(len(hosts), "host", "hosts"))
}

// Description is the pull request's body, in Markdown.
func Description(e *Exposure, file string, until time.Time) string {
	var b strings.Builder
	v := e.Vuln
	fmt.Fprintf(&b, "**%s**: %s.\n\n", v.ID, facts(v))
	fmt.Fprintf(&b, "This adds `%s`, which approves the updates below and puts them in the fast lane: "+
		"they are installed at once, outside the maintenance window, within the rollout's max_parallel and max_failures "+
		"and with its health checks. It approves nothing else, and expires at the end of %s.\n\n",
		file, until.UTC().Format("2006-01-02"))
	b.WriteString("| Host | Provider | Package | To | Now |\n|---|---|---|---|---|\n")
	for _, u := range e.Updates {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", u.Host, u.Provider, u.Package, u.To, strings.ReplaceAll(u.State, "|", "\\|"))
	}
	if len(e.Held) > 0 {
		b.WriteString("\nKept back by policy (an advisory does not override reject, exclude or pin):\n\n")
		for _, h := range e.Held {
			fmt.Fprintf(&b, "- %s: %s %s — %s\n", h.Host, h.Package, h.To, h.Reason)
		}
	}
	fmt.Fprintf(&b, "\nReferences: https://nvd.nist.gov/vuln/detail/%s", v.ID)
	if v.KEV {
		b.WriteString(", https://www.cisa.gov/known-exploited-vulnerabilities-catalog")
	}
	b.WriteString("\n")
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

package htmlreport

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch/trend"
)

// page is what every page shows around its content.
type page struct {
	Title        string
	Root         string // "" on index.html, "../" below it
	GeneratedAt  string
	ConfigCommit string
}

// countsRow is one line of a compliance-by table.
type countsRow struct {
	Name, Link string
	model.Counts
}

// stateRow is one line of the hosts-by-state table.
type stateRow struct {
	Key, Icon, Label, Meaning string
	Hosts                     int
}

// patchRow is one missing or failed update (summary.json's
// missing_patches: by KB, else by package), with the hosts lacking it
// among the page's and the versions they require.
type patchRow struct {
	model.MissingPatch
	// KB says ID is a knowledge-base id.
	KB       bool
	Required []string
	Links    []hostLink
	// Failed counts the page's hosts where its install failed.
	Failed int
}

// vulnRow is one CVE of summary.json's vulnerabilities, with the page's
// hosts exposed to it and those past its deadline.
type vulnRow struct {
	model.Vuln
	Links, Overdue []hostLink
}

// idRow is a KB or CVE with the hosts where its fix is missing.
type idRow struct {
	ID    string
	Hosts []hostLink
}

// hostLink names a host and its page.
type hostLink struct{ Name, Link string }

// itemRow is one item of a host, in a fleet list.
type itemRow struct {
	Host hostLink
	model.Item
}

// failureRow is one failure, with its host's page.
type failureRow struct {
	Host     hostLink
	ActionID string
	Message  string
}

// recentRow is one recent install.
type recentRow struct {
	Host hostLink
	model.RecentInstall
	At string
}

// staleRow is a host not scanned recently.
type staleRow struct {
	Host      hostLink
	ScannedAt string // "never" when never scanned
}

// hostRow is one host in a list of hosts.
type hostRow struct {
	Host                    hostLink
	Client, State, Scanned  string
	Missing, Failed, Errors int
	Reboot                  bool
}

// sections are the tables the fleet page and a client's page share.
type sections struct {
	Counts  model.Counts
	States  []stateRow
	Chart   *chart
	Patches []patchRow
	// ByCVE is missing_by_cve, shown when the plan used no feeds;
	// Vulns and NoFix are the feeds' vulnerabilities otherwise.
	ByCVE        []idRow
	HasVulns     bool
	Vulns, NoFix []vulnRow
	Failures     []failureRow
	Rejected     []itemRow
	Recent       []recentRow
	Reboots      []hostLink
	Stale        []staleRow
	Hosts        []hostRow
	// StaleAfter says "7 days".
	StaleAfter string
	// Agents are the unmanaged agents and silent agent hosts among the
	// page's (summary.json's agents); nil outside tend serve's agent mode.
	Agents *agentsView
}

// agentsView is summary.json's agents on a page.
type agentsView struct {
	StaleAfter string
	Unmanaged  []unmanagedRow
	Stale      []silentRow
}

// unmanagedRow is an agent for a host no configuration declares.
type unmanagedRow struct {
	Host, Client, FirstSeen, LastSeen, Agent, Facts string
}

// silentRow is a declared agent host not heard from for too long.
type silentRow struct {
	Host             hostLink
	Client, LastSeen string
}

type overviewView struct {
	page
	sections
	Clients, Groups, Policies []countsRow
	Halted                    []string
	// Exposure is the fleet's vulnerability exposure over time; nil
	// without feeds.
	Exposure *exposureChart
}

type clientView struct {
	page
	sections
	Client string
}

type hostView struct {
	page
	Host      string
	Client    string
	State     string
	Scanned   string
	Items     []model.Item
	Errors    []string
	LastApply *model.LastApply
	Started   string
	Finished  string
	History   []historyRow
	Chart     *chart
	Stale     bool
}

// historyRow is one change of a host's report.
type historyRow struct {
	At, Commit, ConfigCommit, State string
	Missing, Failed                 int
}

func (s *site) page(title, root string) page {
	p := page{Title: title, Root: root, GeneratedAt: stamp(s.now)}
	if c := s.in.Summary.ConfigCommit; c != "" {
		p.ConfigCommit = commitid.Short(c)
	}
	return p
}

func (s *site) overview() overviewView {
	hosts := make([]string, 0, len(s.reports))
	for _, r := range s.reports {
		hosts = append(hosts, r.Host)
	}
	v := overviewView{page: s.page("Patch compliance", ""), sections: s.sections(hosts, "")}
	v.Counts = s.in.Summary.Counts
	v.Chart = s.fleetChart("")
	v.Exposure = s.fleetExposure()
	for _, c := range s.clientNames() {
		v.Clients = append(v.Clients, countsRow{Name: clientName(c), Link: ClientPage(c), Counts: s.in.Summary.Clients[c]})
	}
	v.Groups = s.countsBy(s.in.Groups)
	v.Policies = s.countsBy(s.in.Policies)
	v.Halted = s.in.Summary.HaltedRollouts
	v.Agents = s.agents(func(string) bool { return true }, "")
	return v
}

func (s *site) client(c string) clientView {
	var hosts []string
	for _, r := range s.reports {
		if s.in.Clients[r.Host] == c {
			hosts = append(hosts, r.Host)
		}
	}
	v := clientView{page: s.page("Patch compliance: "+clientName(c), "../"), sections: s.sections(hosts, "../"), Client: clientName(c)}
	v.Counts = s.in.Summary.Clients[c]
	v.Chart = s.fleetChart(c)
	v.Agents = s.agents(func(client string) bool { return client == c }, "../")
	return v
}

// agents is summary.json's agents whose client mine accepts; nil outside
// agent mode. root prefixes the links.
func (s *site) agents(mine func(client string) bool, root string) *agentsView {
	p := s.in.Summary.Agents
	if p == nil {
		return nil
	}
	v := &agentsView{StaleAfter: p.StaleAfter}
	for _, u := range p.Unmanaged {
		if mine(u.Client) {
			v.Unmanaged = append(v.Unmanaged, unmanagedRow{Host: u.Host, Client: u.Client, FirstSeen: seen(u.FirstSeen),
				LastSeen: seen(u.LastSeen), Agent: u.AgentText(), Facts: u.FactsText()})
		}
	}
	for _, a := range p.Stale {
		if mine(a.Client) {
			v.Stale = append(v.Stale, silentRow{Host: s.link(a.Host, root), Client: a.Client, LastSeen: seen(a.LastSeen)})
		}
	}
	return v
}

// seen stamps t, "never" when nil.
func seen(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return stamp(*t)
}

// clientName shows the hosts without a client label.
func clientName(c string) string {
	if c == "" {
		return "(no client)"
	}
	return c
}

func (s *site) countsBy(m map[string][]string) []countsRow {
	var rows []countsRow
	for _, name := range slices.Sorted(maps.Keys(m)) {
		rows = append(rows, countsRow{Name: name, Counts: s.counts(m[name])})
	}
	return rows
}

func (s *site) link(host, root string) hostLink {
	return hostLink{Name: host, Link: root + HostPage(host)}
}

// sections computes the shared tables over some hosts; root prefixes the
// links.
func (s *site) sections(hosts []string, root string) sections {
	in := map[string]bool{}
	for _, h := range hosts {
		in[h] = true
	}
	sec := sections{StaleAfter: days(s.in.StaleAfter)}
	var missing, failed, rejected, reboot, unknown, stale, errs int
	type patchKey struct{ provider, id string }
	required := map[patchKey][]string{}
	failedOn := map[patchKey]int{}
	for _, h := range hosts {
		r := s.byHost[h]
		if r == nil {
			continue
		}
		hm, hf, hr, hb := 0, 0, 0, false
		for _, it := range r.Items {
			switch it.State {
			case model.ItemMissing, model.ItemFailed:
				k := patchKey{it.Provider, cmp.Or(it.KB, it.Package)}
				if it.State == model.ItemMissing {
					hm++
				} else {
					hf++
					failedOn[k]++
				}
				if it.Required != "" && !slices.Contains(required[k], it.Required) {
					required[k] = append(required[k], it.Required)
				}
			case model.ItemInstalledRejected:
				hr++
				sec.Rejected = append(sec.Rejected, itemRow{Host: s.link(h, root), Item: it})
			case model.ItemInstalledPendingReboot:
				hb = true
			}
		}
		applyFailed := false
		if r.LastApply != nil {
			for _, res := range r.LastApply.Results {
				if res.Status == model.StatusFailed || res.Status == model.StatusInterrupted || res.Status == model.StatusRolledBack {
					applyFailed = true
				}
			}
		}
		if hm > 0 {
			missing++
		}
		if hf > 0 || applyFailed {
			failed++
		}
		if hr > 0 {
			rejected++
		}
		if hb {
			reboot++
		}
		if len(r.Errors) > 0 {
			errs++
		}
		scanned := "never"
		switch {
		case r.ScannedAt == nil || r.State == model.HostUnknown:
			unknown++
			sec.Stale = append(sec.Stale, staleRow{Host: s.link(h, root), ScannedAt: "never"})
		case s.now.Sub(*r.ScannedAt) > s.in.StaleAfter:
			stale++
			sec.Stale = append(sec.Stale, staleRow{Host: s.link(h, root), ScannedAt: stamp(*r.ScannedAt)})
		}
		if r.ScannedAt != nil {
			scanned = stamp(*r.ScannedAt)
		}
		sec.Hosts = append(sec.Hosts, hostRow{Host: s.link(h, root), Client: s.in.Clients[h], State: r.State,
			Scanned: scanned, Missing: hm, Failed: hf, Errors: len(r.Errors), Reboot: hb})
	}
	compliant := 0
	for _, h := range hosts {
		if r := s.byHost[h]; r != nil && r.State == model.HostCompliant {
			compliant++
		}
	}
	sec.States = []stateRow{
		{Key: "compliant", Icon: "✔", Label: "Compliant", Meaning: "nothing required is missing", Hosts: compliant},
		{Key: "missing", Icon: "✖", Label: "Missing updates", Meaning: "at least one required update not installed", Hosts: missing},
		{Key: "failed", Icon: "⚠", Label: "Failed", Meaning: "an update or the last apply failed", Hosts: failed},
		{Key: "rejected", Icon: "⊘", Label: "Rejected installed", Meaning: "a package the policy rejects is installed", Hosts: rejected},
		{Key: "pending_reboot", Icon: "↻", Label: "Pending reboot", Meaning: "the host waits for a reboot", Hosts: reboot},
		{Key: "errors", Icon: "⚠", Label: "Plan errors", Meaning: "the plan could not be made in full", Hosts: errs},
		{Key: "unknown", Icon: "?", Label: "Unknown", Meaning: "never scanned", Hosts: unknown},
		{Key: "stale", Icon: "◷", Label: "Stale", Meaning: "not scanned in " + sec.StaleAfter, Hosts: stale},
	}
	for _, p := range s.in.Summary.MissingPatches {
		row := patchRow{MissingPatch: p, KB: kbID.MatchString(p.ID)}
		for _, h := range p.Hosts {
			if in[h] {
				row.Links = append(row.Links, s.link(h, root))
			}
		}
		if len(row.Links) == 0 {
			continue
		}
		k := patchKey{p.Provider, p.ID}
		row.Required, row.Failed = required[k], failedOn[k]
		sec.Patches = append(sec.Patches, row) // missing_patches' order: severity, then most hosts
	}
	if v := s.in.Summary.Vulnerabilities; v != nil {
		sec.HasVulns = true
		sec.Vulns = s.vulnRows(v.Missing, in, root)
		sec.NoFix = s.vulnRows(v.NoFix, in, root)
	} else {
		sec.ByCVE = s.byID(s.in.Summary.MissingByCVE, in, root)
	}
	for _, f := range s.in.Summary.Failures {
		if in[f.Host] {
			sec.Failures = append(sec.Failures, failureRow{Host: s.link(f.Host, root), ActionID: f.ActionID, Message: f.Message})
		}
	}
	for _, ri := range s.in.Summary.RecentlyInstalled {
		if in[ri.Host] {
			sec.Recent = append(sec.Recent, recentRow{Host: s.link(ri.Host, root), RecentInstall: ri, At: stamp(ri.InstalledAt)})
		}
	}
	for _, h := range s.in.Summary.PendingReboots {
		if in[h] {
			sec.Reboots = append(sec.Reboots, s.link(h, root))
		}
	}
	return sec
}

// kbID matches a knowledge-base id, as compliance names a missing patch.
var kbID = regexp.MustCompile(`^KB[0-9]+$`)

// vulnRows keeps the CVEs with a host among in, in the summary's order
// (KEV-listed first, then by CVSS).
func (s *site) vulnRows(cves []model.CVESummary, in map[string]bool, root string) []vulnRow {
	var rows []vulnRow
	for _, c := range cves {
		row := vulnRow{Vuln: c.Vuln}
		for _, h := range c.Hosts {
			if in[h] {
				row.Links = append(row.Links, s.link(h, root))
			}
		}
		for _, h := range c.Overdue {
			if in[h] {
				row.Overdue = append(row.Overdue, s.link(h, root))
			}
		}
		if len(row.Links) > 0 {
			rows = append(rows, row)
		}
	}
	return rows
}

// byID keeps the ids with a host among in, with those hosts, most hosts
// first.
func (s *site) byID(m map[string][]string, in map[string]bool, root string) []idRow {
	var rows []idRow
	for id, hosts := range m {
		row := idRow{ID: id}
		for _, h := range hosts {
			if in[h] {
				row.Hosts = append(row.Hosts, s.link(h, root))
			}
		}
		if len(row.Hosts) > 0 {
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, func(a, b idRow) int {
		return cmp.Or(cmp.Compare(len(b.Hosts), len(a.Hosts)), strings.Compare(a.ID, b.ID))
	})
	return rows
}

func (s *site) host(r *model.Report) hostView {
	v := hostView{page: s.page("Host "+r.Host, "../"), Host: r.Host, Client: s.in.Clients[r.Host], State: r.State,
		Scanned: "never", Items: r.Items, Errors: r.Errors, LastApply: r.LastApply}
	if v.Client != "" {
		v.page.Title = "Host " + r.Host + " (" + v.Client + ")"
	}
	if r.ScannedAt != nil {
		v.Scanned = stamp(*r.ScannedAt)
		v.Stale = s.now.Sub(*r.ScannedAt) > s.in.StaleAfter
	}
	if r.LastApply != nil {
		v.Started, v.Finished = stamp(r.LastApply.StartedAt), stamp(r.LastApply.FinishedAt)
	}
	if s.in.History != nil {
		pts := s.in.History.Hosts[r.Host]
		for i := len(pts) - 1; i >= 0 && len(v.History) < maxHistoryRows; i-- {
			p := pts[i]
			row := historyRow{At: stamp(p.At), Commit: commitid.Short(p.Commit), State: p.State, Missing: p.Missing, Failed: p.Failed}
			if p.ConfigCommit != "" {
				row.ConfigCommit = commitid.Short(p.ConfigCommit)
			}
			v.History = append(v.History, row)
		}
		if r.State != model.HostUnknown && (len(pts) == 0 || s.now.After(pts[len(pts)-1].At)) {
			pts = append(slices.Clip(pts), trend.HostPoint{At: s.now, State: r.State})
		}
		v.Chart = hostChart(pts)
	}
	return v
}

// maxHistoryRows bounds a host's history table (the chart shows it all).
const maxHistoryRows = 50

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	return d.String()
}

// fleetChart is the compliance trend of the fleet (client "") or of a
// client; nil without history.
func (s *site) fleetChart(client string) *chart {
	if s.in.History == nil {
		return nil
	}
	var pts []chartPoint
	for _, p := range s.in.History.Fleet {
		c := p.Counts
		if client != "" {
			var ok bool
			if c, ok = p.Clients[client]; !ok {
				continue
			}
		}
		if c.Compliant+c.NonCompliant == 0 {
			continue
		}
		pts = append(pts, chartPoint{At: p.At, Percent: c.CompliancePercent, Hosts: c.Hosts})
	}
	// This report, when the branch does not hold it yet.
	now := s.in.Summary.Counts
	if client != "" {
		now = s.in.Summary.Clients[client]
	}
	if now.Compliant+now.NonCompliant > 0 && (len(pts) == 0 || s.now.After(pts[len(pts)-1].At)) {
		pts = append(pts, chartPoint{At: s.now, Percent: now.CompliancePercent, Hosts: now.Hosts})
	}
	return newChart(pts)
}

// hostChart is a host's compliance over time: 100 while compliant, 0
// while not, from each change of its report.
func hostChart(pts []trend.HostPoint) *chart {
	var cp []chartPoint
	for _, p := range pts {
		if p.State == model.HostUnknown {
			continue
		}
		pct := 0.0
		if p.State == model.HostCompliant {
			pct = 100
		}
		cp = append(cp, chartPoint{At: p.At, Percent: pct, Hosts: 1})
	}
	c := newChart(cp)
	if c != nil {
		c.Noun = "reports"
	}
	return c
}

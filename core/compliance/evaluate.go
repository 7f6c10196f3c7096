package compliance

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// Input is everything compliance depends on.
type Input struct {
	Plan *model.Plan
	// Inventory holds each host's last scan, by host name.
	Inventory map[string]*model.Snapshot
	// LastApply is each host's last apply, by host name; nil or missing
	// entries mean none. Its succeeded actions date the packages tend
	// installed (installed_at).
	LastApply map[string]*model.LastApply
	// Previous holds the reports made before this one (the reports
	// branch's), by host: their items' installed_at carry over while the
	// package stays at that version, so a date outlives the apply that set
	// it. Nil or missing entries mean none.
	Previous map[string]*model.Report
	// Clients maps a host to its "client" label; hosts without one are
	// counted under "".
	Clients map[string]string
	// ConfigCommit is recorded in every report and the summary.
	ConfigCommit string
	// Now is the summary's generated_at.
	Now time.Time
	// Warnings are the plan's, for summary.json and SUMMARY.md.
	Warnings []model.Warning
	// FirstSeen, when set, says when an update without a release date was
	// first seen on a host (the planner's history), for the days a CVE has
	// been open; without it the snapshot's scan time counts.
	FirstSeen func(host, provider, pkg, to string) (time.Time, bool)
	// Known holds reports evaluated earlier from the same inputs, by host
	// (tend report --commit's cache, core/reportcache): taken as they are,
	// and their hosts need no snapshot in Inventory.
	Known map[string]*model.Report
}

// Evaluate computes one report per planned host, sorted by host, and the
// fleet summary. It is a pure function of its input.
func Evaluate(in Input) ([]model.Report, model.FleetSummary) {
	byHost := map[string][]model.HostPlan{}
	var hosts []string
	if in.Plan != nil {
		for _, hp := range in.Plan.Hosts {
			if _, ok := byHost[hp.Host]; !ok {
				hosts = append(hosts, hp.Host)
			}
			byHost[hp.Host] = append(byHost[hp.Host], hp)
		}
	}
	ungoverned := map[string][]model.Ungoverned{}
	if in.Plan != nil {
		for _, u := range in.Plan.Ungoverned {
			if _, ok := byHost[u.Host]; !ok && ungoverned[u.Host] == nil {
				hosts = append(hosts, u.Host)
			}
			ungoverned[u.Host] = append(ungoverned[u.Host], u)
		}
	}
	sort.Strings(hosts)
	reports := make([]model.Report, 0, len(hosts))
	for _, h := range hosts {
		if r := in.Known[h]; r != nil {
			reports = append(reports, *r)
			continue
		}
		reports = append(reports, evaluateHost(h, byHost[h], ungoverned[h], in))
	}
	sum := Summarize(reports, in.Clients, in.ConfigCommit, in.Now)
	sum.Vulnerabilities = vulnSummary(in)
	if len(in.Warnings) > 0 {
		sum.Warnings = append([]model.Warning{}, in.Warnings...)
	}
	return reports, sum
}

// evaluateHost builds the report of one host from its provider plans.
func evaluateHost(host string, plans []model.HostPlan, ungoverned []model.Ungoverned, in Input) model.Report {
	r := model.Report{
		FormatVersion: model.ReportFormatVersion, Host: host, ConfigCommit: in.ConfigCommit,
		Client: in.Clients[host], Items: []model.Item{}, LastApply: in.LastApply[host],
	}
	snap := in.Inventory[host]
	r.InstalledKBs = installedKBs(snap)
	items := map[itemKey]model.Item{}
	failed := failedActions(r.LastApply)
	incomplete := false // a provider of the host has no inventory
	planErr := false    // a provider plan with inventory has errors
	for _, hp := range plans {
		if hp.ScannedAt != nil && r.ScannedAt == nil {
			t := *hp.ScannedAt
			r.ScannedAt = &t
		}
		var inv *model.ProviderInventory
		if snap != nil {
			inv = snap.Providers[hp.Provider]
		}
		incomplete = incomplete || inv == nil
		planErr = planErr || (inv != nil && len(hp.Errors) > 0)
		r.Errors = appendNew(r.Errors, hp.Errors...)
		for _, it := range hostItems(hp, inv, failed) {
			k := itemKey{it.Provider, it.Package}
			if old, ok := items[k]; !ok || rank(it.State) > rank(old.State) {
				items[k] = it
			}
		}
	}
	addInstalledByTend(items, snap, installDates(host, r.LastApply, in.Previous[host]))
	for _, u := range ungoverned {
		items[itemKey{u.Provider, model.UngovernedItem}] = model.Item{Provider: u.Provider, Package: model.UngovernedItem,
			State: model.ItemUngoverned, CVEs: []string{}, Detail: u.Reason}
	}
	if r.ScannedAt == nil && len(ungoverned) > 0 && snap != nil {
		t := snap.ScannedAt
		r.ScannedAt = &t
	}
	for _, it := range items {
		r.Items = append(r.Items, it)
	}
	sort.Slice(r.Items, func(i, j int) bool {
		a, b := r.Items[i], r.Items[j]
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		return a.Package < b.Package
	})
	r.State = hostState(r, incomplete, planErr)
	return r
}

type itemKey struct{ provider, pkg string }

// rank orders item states when two policies report the same package: the
// worse state wins. The states from installed_pending_reboot up make a
// host non-compliant; of the others, installed_other (a version the policy
// does not require) outranks installed, which outranks not_applicable.
func rank(state string) int {
	switch state {
	case model.ItemUngoverned:
		return 9
	case model.ItemFailed:
		return 8
	case model.ItemOverdue:
		return 7
	case model.ItemMissing:
		return 6
	case model.ItemInstalledRejected:
		return 5
	case model.ItemInstalledPendingReboot:
		return 4
	case model.ItemInstalledOther:
		return 3
	case model.ItemInstalled:
		return 2
	case model.ItemNotApplicable:
		return 1
	}
	return 0
}

// nonCompliant reports whether an item in state makes its host
// non-compliant.
func nonCompliant(state string) bool { return rank(state) >= rank(model.ItemInstalledPendingReboot) }

// hostItems applies the package rules to one provider plan.
func hostItems(hp model.HostPlan, inv *model.ProviderInventory, failed map[string]bool) []model.Item {
	var out []model.Item
	missing := func(pkg, installed, to string, u model.Update) {
		it := model.Item{Provider: hp.Provider, Package: pkg, Installed: installed, Required: to,
			State: model.ItemMissing, Classification: u.Classification, CVEs: nonNil(u.CVEs), KB: u.KB,
			Title: u.Title, Severity: u.Severity}
		if failed[hp.Host+"/"+hp.Provider+"/"+pkg] {
			it.State = model.ItemFailed
		}
		out = append(out, it)
	}
	for _, a := range hp.Actions {
		switch a.Type {
		case model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade:
			missing(a.Package, a.From, a.To, model.Update{Classification: a.Classification, CVEs: a.CVEs, KB: a.KB,
				Title: a.Title, Severity: a.Severity})
		}
	}
	for _, d := range hp.Deferred {
		if d.Cause == model.DeferDelay {
			out = appendOther(out, hp.Provider, d.Package, installedVersion(inv, d.Package), delayDetail(d))
			continue
		}
		missing(d.Package, installedVersion(inv, d.Package), d.To, available(inv, d.Package, d.To))
		if d.Cause == model.DeferFreeze || d.Cause == model.DeferSuspend {
			// A freeze or a suspension holds it: the report says which.
			out[len(out)-1].Detail = "held: " + d.Reason
		}
	}
	out = append(out, namedItems(hp)...)
	named := namedSet(hp)
	for _, s := range hp.Skipped {
		if s.To != "" {
			if !named[s.Package] {
				out = appendOther(out, hp.Provider, s.Package, installedVersion(inv, s.Package), s.To+" available: "+s.Reason)
			}
			continue
		}
		v := installedVersion(inv, s.Package)
		if v == "" {
			v = versionFromReason(s.Reason)
		}
		out = append(out, model.Item{Provider: hp.Provider, Package: s.Package, Installed: v,
			State: model.ItemInstalledRejected, CVEs: []string{}})
	}
	if inv != nil {
		for _, u := range inv.Unfinished {
			out = append(out, model.Item{Provider: hp.Provider, Package: u.Name, Installed: u.Version,
				State: model.ItemFailed, CVEs: []string{},
				Detail: "left " + u.State + " by the package manager (interrupted or failed install); it needs repair on the host"})
		}
	}
	if inv != nil && inv.PendingReboot {
		out = append(out, model.Item{Provider: hp.Provider, Package: model.RebootItem,
			State: model.ItemInstalledPendingReboot, CVEs: []string{}})
	}
	return markOverdue(out, hp, inv)
}

// markOverdue turns the items of packages past a remediation deadline
// (hp.Overdue) into overdue items, saying which CVE was due when; a failed
// item stays failed.
func markOverdue(out []model.Item, hp model.HostPlan, inv *model.ProviderInventory) []model.Item {
	for _, o := range hp.Overdue {
		detail := o.CVE + " was due " + o.Due.UTC().Format("2006-01-02") + " (" + o.Rule + ")"
		found := false
		for i := range out {
			it := &out[i]
			if it.Package != o.Package {
				continue
			}
			found = true
			if it.State == model.ItemFailed {
				continue
			}
			it.State, it.Detail = model.ItemOverdue, joinDetail(it.Detail, detail)
			if !slices.Contains(it.CVEs, o.CVE) {
				it.CVEs = append(nonNil(it.CVEs), o.CVE)
			}
		}
		if !found {
			u := model.Update{}
			for _, a := range inv.Available {
				if a.Name == o.Package {
					u = a
				}
			}
			out = append(out, model.Item{Provider: hp.Provider, Package: o.Package, Installed: installedVersion(inv, o.Package),
				Required: u.To, State: model.ItemOverdue, Classification: u.Classification, CVEs: []string{o.CVE}, Detail: detail})
		}
	}
	return out
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// failedActions returns the ids of the actions that failed, were
// interrupted or were rolled back in an apply.
func failedActions(la *model.LastApply) map[string]bool {
	out := map[string]bool{}
	if la == nil {
		return out
	}
	for _, r := range la.Results {
		if r.Status == model.StatusFailed || r.Status == model.StatusInterrupted || r.Status == model.StatusRolledBack {
			out[r.ActionID] = true
		}
	}
	return out
}

// hostState: non_compliant when an item says so, or a provider plan with
// inventory has errors (a pin its sources do not offer: the policy cannot
// be met); otherwise unknown when a provider of the host has no inventory
// (not scanned, or its scan failed); otherwise compliant.
func hostState(r model.Report, incomplete, planErr bool) string {
	for _, it := range r.Items {
		if nonCompliant(it.State) {
			return model.HostNonCompliant
		}
	}
	switch {
	case planErr:
		return model.HostNonCompliant
	case r.ScannedAt == nil || incomplete:
		return model.HostUnknown
	}
	return model.HostCompliant
}

func installedVersion(inv *model.ProviderInventory, pkg string) string {
	if inv == nil {
		return ""
	}
	for _, it := range inv.Installed {
		if it.Name == pkg {
			return it.Version
		}
	}
	return ""
}

func available(inv *model.ProviderInventory, pkg, to string) model.Update {
	if inv == nil {
		return model.Update{}
	}
	for _, u := range inv.Available {
		if u.Name == pkg && u.To == to {
			return u
		}
	}
	return model.Update{}
}

// versionFromReason reads the version out of the planner's reason
// "installed version V matches reject …", for a package the inventory lost.
func versionFromReason(reason string) string {
	const prefix = "installed version "
	if !strings.HasPrefix(reason, prefix) {
		return ""
	}
	v, _, _ := strings.Cut(strings.TrimPrefix(reason, prefix), " ")
	return v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

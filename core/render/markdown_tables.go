package render

import (
	"slices"
	"sort"
	"strings"

	"github.com/tend-sh/tend/core/model"
)

// policyRow counts what a plan does to the hosts of one policy and ring.
type policyRow struct {
	policy, ring    string
	hosts, changed  map[string]bool
	actions         map[string]int
	deferred, skips int
	errors          int
}

// policyColumns are the action columns of the policy table: always
// install, upgrade, downgrade and reboot; the others only when used.
func policyColumns(used map[string]bool) []string {
	var cols []string
	for _, typ := range actionOrder {
		switch typ {
		case model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade, model.ActionReboot:
			cols = append(cols, typ)
		default:
			if used[typ] {
				cols = append(cols, typ)
			}
		}
	}
	return cols
}

// policyRows groups host plans by policy and ring, sorted by both. used
// says which action types occur, anyErrors whether any host has errors.
func policyRows(hosts []model.HostPlan) (rows []*policyRow, used map[string]bool, anyErrors bool) {
	byKey := map[[2]string]*policyRow{}
	used = map[string]bool{}
	for i := range hosts {
		h := &hosts[i]
		k := [2]string{h.Policy, h.Ring}
		r := byKey[k]
		if r == nil {
			r = &policyRow{policy: h.Policy, ring: h.Ring, hosts: map[string]bool{}, changed: map[string]bool{}, actions: map[string]int{}}
			byKey[k] = r
			rows = append(rows, r)
		}
		r.hosts[h.Host] = true
		if len(h.Actions) > 0 {
			r.changed[h.Host] = true
		}
		for j := range h.Actions {
			r.actions[h.Actions[j].Type]++
			used[h.Actions[j].Type] = true
		}
		r.deferred += len(h.Deferred)
		r.skips += len(h.Skipped)
		r.errors += len(h.Errors)
		anyErrors = anyErrors || len(h.Errors) > 0
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].policy != rows[j].policy {
			return rows[i].policy < rows[j].policy
		}
		return rows[i].ring < rows[j].ring
	})
	return rows, used, anyErrors
}

// clientTable writes one row per value of the hosts' "client" label (an
// MSP's customers), when the caller gave the labels and a host has one.
func (m *mdView) clientTable() {
	if len(m.clients) == 0 {
		return
	}
	hosts := make([]model.HostPlan, len(m.p.Hosts))
	for i, h := range m.p.Hosts {
		h.Policy, h.Ring = m.clients[h.Host], "" // group by client alone
		hosts[i] = h
	}
	rows, used, anyErrors := policyRows(hosts)
	if len(rows) > 0 && rows[0].policy == "" { // hosts without the label go last
		rows = append(rows[1:], rows[0])
	}
	m.countsTable(secClients, "By client", []string{"client"}, rows, used, anyErrors, func(r *policyRow) []string {
		if r.policy == "" {
			return []string{"_(no client label)_"}
		}
		return []string{mdText(r.policy)}
	})
}

// policyTable writes the summary table: one row per policy and ring.
func (m *mdView) policyTable() {
	rows, used, anyErrors := policyRows(m.p.Hosts)
	m.countsTable(secPolicies, "By policy", []string{"policy", "ring"}, rows, used, anyErrors, func(r *policyRow) []string {
		return []string{orDash(mdText(r.policy)), orDash(mdText(r.ring))}
	})
}

// countsTable writes a titled table with one row per group of host plans:
// the group's name cells, then hosts, hosts with changes, each action
// type's count, deferred and skipped updates, and errors when any.
func (m *mdView) countsTable(section, title string, names []string, rows []*policyRow, used map[string]bool, anyErrors bool, name func(*policyRow) []string) {
	if len(rows) == 0 {
		return
	}
	cols := policyColumns(used)
	head := append(append(slices.Clone(names), "hosts", "with changes"), cols...)
	head = append(head, "deferred", "skipped")
	if anyErrors {
		head = append(head, "errors")
	}
	align := "|" + strings.Repeat("---|", len(names)) + strings.Repeat("--:|", len(head)-len(names))
	if !m.add(section, "\n### "+title+"\n\n| "+strings.Join(head, " | ")+" |\n"+align+"\n") {
		return
	}
	for _, r := range rows {
		cells := append(name(r), commas(len(r.hosts)), commas(len(r.changed)))
		for _, typ := range cols {
			cells = append(cells, commas(r.actions[typ]))
		}
		cells = append(cells, commas(r.deferred), commas(r.skips))
		if anyErrors {
			cells = append(cells, commas(r.errors))
		}
		if !m.add(section, "| "+strings.Join(cells, " | ")+" |\n") {
			return
		}
	}
}

// commonAction is one change (type, package, version) and the hosts that
// get it.
type commonAction struct {
	typ, pkg, to, class string
	cves                map[string]bool
	hosts               map[string]bool
}

// commonActions writes the changes made on the most hosts, reboots aside;
// a change on a single host is only in that host's details.
func (m *mdView) commonActions() {
	list := commonActionList(m.p.Hosts)
	if len(list) == 0 {
		return
	}
	if !m.add(secCommon, "\n### Most common actions\n\n| action | package | to | classification | CVEs | hosts |\n|---|---|---|---|---|--:|\n") {
		return
	}
	for i, c := range list {
		if i == mdTopActions {
			m.add(secCommon, "\n_The "+commas(mdTopActions)+" most common of "+commas(len(list))+" actions on more than one host; each host's actions are in its details._\n")
			return
		}
		cves := make([]string, 0, len(c.cves))
		for id := range c.cves {
			cves = append(cves, id)
		}
		sort.Strings(cves)
		cells := []string{mdText(c.typ), mdText(c.pkg), mdText(c.to), mdText(c.class), mdText(cveList(cves, mdCVEs)), commas(len(c.hosts))}
		if !m.add(secCommon, "| "+strings.Join(cells, " | ")+" |\n") {
			return
		}
	}
}

// commonActionList groups actions by type, package, target version and
// classification, and returns those on more than one host, most hosts first.
func commonActionList(hosts []model.HostPlan) []*commonAction {
	byKey := map[[4]string]*commonAction{}
	var list []*commonAction
	for i := range hosts {
		h := &hosts[i]
		for j := range h.Actions {
			a := &h.Actions[j]
			if a.Type == model.ActionReboot {
				continue
			}
			k := [4]string{a.Type, packageName(a), a.To, classification(a)}
			c := byKey[k]
			if c == nil {
				c = &commonAction{typ: k[0], pkg: k[1], to: k[2], class: k[3], cves: map[string]bool{}, hosts: map[string]bool{}}
				byKey[k] = c
				list = append(list, c)
			}
			c.hosts[h.Host] = true
			for _, id := range a.CVEs {
				c.cves[id] = true
			}
		}
	}
	shared := list[:0]
	for _, c := range list {
		if len(c.hosts) > 1 {
			shared = append(shared, c)
		}
	}
	list = shared
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if len(a.hosts) != len(b.hosts) {
			return len(a.hosts) > len(b.hosts)
		}
		if a.pkg != b.pkg {
			return a.pkg < b.pkg
		}
		if a.to != b.to {
			return a.to < b.to
		}
		if a.typ != b.typ {
			return a.typ < b.typ
		}
		return a.class < b.class
	})
	return list
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

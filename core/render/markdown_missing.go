package render

import (
	"cmp"
	"sort"
	"strings"

	"github.com/tend-sh/tend/core/model"
)

// mdMissingRows caps the rows of the pull-request comment's table of
// missing patches.
const mdMissingRows = 25

// missingPatch is one update the plan installs, and where.
type missingPatch struct {
	provider, id, title, severity string
	cves                          map[string]bool
	hosts                         map[string]bool
	clients                       map[string]int
}

// missingPatches writes "Missing patches by KB": each update this plan
// installs (KB, else package), with its title, severity, CVEs, hosts and,
// when hosts carry client labels, how many per client; most severe first,
// then most hosts.
func (m *mdView) missingPatches() {
	list := missingPatchList(m.p.Hosts, m.clients)
	if len(list) == 0 {
		return
	}
	head := "\n### Missing patches by KB\n\n| KB or package | title | severity | CVEs | hosts |"
	align := "|---|---|---|---|--:|"
	if len(m.clients) > 0 {
		head += " by client |"
		align += "---|"
	}
	if !m.add(secMissing, head+"\n"+align+"\n") {
		return
	}
	for i, p := range list {
		if i == mdMissingRows {
			m.add(secMissing, "\n_The "+commas(mdMissingRows)+" most severe of "+commas(len(list))+" missing patches; each host's actions are in its details._\n")
			return
		}
		cves := make([]string, 0, len(p.cves))
		for id := range p.cves {
			cves = append(cves, id)
		}
		sort.Strings(cves)
		cells := []string{mdText(p.provider + "/" + p.id), orDash(mdText(p.title)), orDash(mdText(p.severity)),
			orDash(mdText(cveList(cves, mdCVEs))), commas(len(p.hosts))}
		if len(m.clients) > 0 {
			cells = append(cells, clientCountCell(p.clients))
		}
		if !m.add(secMissing, "| "+strings.Join(cells, " | ")+" |\n") {
			return
		}
	}
}

func missingPatchList(hosts []model.HostPlan, clients map[string]string) []*missingPatch {
	byKey := map[[2]string]*missingPatch{}
	var list []*missingPatch
	for i := range hosts {
		h := &hosts[i]
		for j := range h.Actions {
			a := &h.Actions[j]
			switch a.Type {
			case model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade:
			default:
				continue
			}
			k := [2]string{h.Provider, cmp.Or(a.KB, a.Package)}
			p := byKey[k]
			if p == nil {
				p = &missingPatch{provider: k[0], id: k[1], cves: map[string]bool{}, hosts: map[string]bool{}, clients: map[string]int{}}
				byKey[k] = p
				list = append(list, p)
			}
			p.title, p.severity = cmp.Or(p.title, a.Title), cmp.Or(p.severity, a.Severity)
			for _, id := range a.CVEs {
				p.cves[id] = true
			}
			if !p.hosts[h.Host] {
				p.hosts[h.Host] = true
				p.clients[clients[h.Host]]++
			}
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if ra, rb := model.SeverityRank(a.severity), model.SeverityRank(b.severity); ra != rb {
			return ra < rb
		}
		if len(a.hosts) != len(b.hosts) {
			return len(a.hosts) > len(b.hosts)
		}
		if a.provider != b.provider {
			return a.provider < b.provider
		}
		return a.id < b.id
	})
	return list
}

// clientCountCell is "acme 2 · globex 1", hosts without a label last.
func clientCountCell(counts map[string]int) string {
	hosts := make(map[string][]string, len(counts))
	for c, n := range counts {
		hosts[c] = make([]string, n)
	}
	return clientCounts(hosts)
}

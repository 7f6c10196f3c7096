package planner

import (
	"fmt"
	"maps"
	"slices"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

// coverage warns about the configuration's gaps (groups and policies that
// select no host, hosts no policy targets) and returns what no policy
// governs: every host no policy targets, once per provider its snapshot
// has (once with no provider without one), and every provider a targeted
// host's snapshot has that none of its policies uses.
func coverage(in Input, warns *warnings) []model.Ungoverned {
	for _, g := range config.Gaps(in.Config) {
		if g.Host == "" || in.Hosts.Match(g.Host) {
			warns.add(g.Where, "%s", g.Text)
		}
	}
	uses := map[string]map[string]bool{} // host → providers of its policies
	for _, p := range in.Config.Policies {
		for _, h := range p.Hosts {
			if uses[h] == nil {
				uses[h] = map[string]bool{}
			}
			uses[h][p.Provider] = true
		}
	}
	var out []model.Ungoverned
	for _, host := range sortedKeys(in.Config.Hosts) {
		var providers []string
		if snap := in.Inventory[host]; snap != nil {
			providers = slices.Sorted(maps.Keys(snap.Providers))
		}
		if uses[host] == nil {
			if len(providers) == 0 {
				providers = []string{""}
			}
			for _, prov := range providers {
				out = append(out, model.Ungoverned{Host: host, Provider: prov, Reason: "no policy targets the host"})
			}
			continue
		}
		for _, prov := range providers {
			if !uses[host][prov] && in.Hosts.Match(host) {
				out = append(out, model.Ungoverned{Host: host, Provider: prov,
					Reason: fmt.Sprintf("no policy for provider %q targets the host, though its snapshot has that provider", prov)})
				warns.add("", "host %q has provider %q in its snapshot, but no policy for %q targets it: those updates are ungoverned", host, prov, prov)
			}
		}
	}
	return out
}

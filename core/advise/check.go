package advise

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tend-sh/tend/core/model"
)

// Check compares the plan before the advisory with the plan after it and
// reports whether the advisory fast-tracks exactly its fixing updates: no
// action is added that is not one of them, none is removed, and each
// added one came through the advisory's fast lane. Fixes that still wait
// (a suspension, a freeze, an unresolved dependency) are returned as
// notes, not errors.
func Check(before, after *model.Plan, e *Exposure) (stillHeld []string, err error) {
	type act struct {
		fast string
	}
	index := func(p *model.Plan) map[string]act {
		m := map[string]act{}
		for _, hp := range p.Hosts {
			for _, a := range hp.Actions {
				if a.Package == "" {
					continue // reboots
				}
				m[Update{Host: hp.Host, Provider: hp.Provider, Package: a.Package, To: a.To}.Key()] = act{a.FastLane}
			}
		}
		return m
	}
	old, cur := index(before), index(after)
	want := map[string]bool{}
	for _, u := range e.Updates {
		want[u.Key()] = true
	}
	var problems []string
	for k, a := range cur {
		if _, ok := old[k]; ok {
			continue
		}
		switch {
		case !want[k]:
			problems = append(problems, "it adds "+describe(k)+", which does not fix "+e.Vuln.ID)
		case !strings.Contains(a.fast, "advisory "):
			problems = append(problems, "it adds "+describe(k)+" outside its fast lane ("+a.fast+")")
		}
	}
	for k := range old {
		if _, ok := cur[k]; !ok {
			problems = append(problems, "it removes "+describe(k))
		}
	}
	for _, u := range e.Updates {
		if _, ok := cur[u.Key()]; !ok {
			stillHeld = append(stillHeld, fmt.Sprintf("%s: %s %s still waits: %s", u.Host, u.Package, u.To, reasonFor(after, u)))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return stillHeld, fmt.Errorf("the advisory for %s would not fast-track exactly its fixes: %s", e.Vuln.ID, strings.Join(problems, "; "))
	}
	return stillHeld, nil
}

func describe(key string) string {
	p := strings.Split(key, "\x00")
	return fmt.Sprintf("%s → %s on %s (%s)", p[2], p[3], p[0], p[1])
}

// reasonFor is why the plan still holds u.
func reasonFor(p *model.Plan, u Update) string {
	for _, hp := range p.Hosts {
		if hp.Host != u.Host || hp.Provider != u.Provider {
			continue
		}
		for _, d := range hp.Deferred {
			if d.Package == u.Package && d.To == u.To {
				return d.Reason
			}
		}
		for _, s := range hp.Skipped {
			if s.Package == u.Package && s.To == u.To {
				return s.Reason
			}
		}
		if len(hp.Errors) > 0 {
			return strings.Join(hp.Errors, "; ")
		}
	}
	return "not in the plan"
}

package planner

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultStaleAfter is how old a snapshot may be before tend plan and tend
// report warn that it is stale (--stale-after).
const DefaultStaleAfter = 24 * time.Hour

// staleness warns about the snapshots scanned more than in.StaleAfter
// before now: one warning naming the host, or, for several, one naming
// the oldest and listing the hosts (at most 5 by name). A zero StaleAfter
// warns about none.
func staleness(in Input, now time.Time, warns *warnings) {
	if in.StaleAfter <= 0 {
		return
	}
	var stale []string
	oldest := ""
	for _, host := range sortedKeys(in.Inventory) {
		snap := in.Inventory[host]
		if snap == nil || snap.ScannedAt.IsZero() || now.Sub(snap.ScannedAt) <= in.StaleAfter || !in.Hosts.Match(host) {
			continue
		}
		stale = append(stale, host)
		if oldest == "" || snap.ScannedAt.Before(in.Inventory[oldest].ScannedAt) {
			oldest = host
		}
	}
	if len(stale) == 0 {
		return
	}
	at := in.Inventory[oldest].ScannedAt
	if len(stale) == 1 {
		warns.add("", "host %q: stale snapshot, scanned at %s, %s before the plan (stale after %s); the host may have changed since",
			oldest, stamp(at), roughAge(now.Sub(at)), roughAge(in.StaleAfter))
		return
	}
	names := make([]string, 0, 5)
	for _, h := range stale[:min(len(stale), 5)] {
		names = append(names, strconv.Quote(h))
	}
	list := strings.Join(names, ", ")
	if len(stale) > 5 {
		list += fmt.Sprintf(" and %d more", len(stale)-5)
	}
	warns.add("", "%d hosts have stale snapshots, scanned more than %s before the plan (the oldest, %q, at %s, %s before): %s; they may have changed since",
		len(stale), roughAge(in.StaleAfter), oldest, stamp(at), roughAge(now.Sub(at)), list)
}

// roughAge is a duration in whole days, hours or minutes: "3d", "26h",
// "90m".
func roughAge(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return itoa(int(d/(24*time.Hour))) + "d"
	case d >= time.Hour:
		return itoa(int(d/time.Hour)) + "h"
	}
	return itoa(int(d/time.Minute)) + "m"
}

func itoa(n int) string { return strconv.Itoa(n) }

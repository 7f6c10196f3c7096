package planner

import (
	"strconv"
	"time"
)

// DefaultStaleAfter is how old a snapshot may be before tend plan and tend
// report warn that it is stale (--stale-after).
const DefaultStaleAfter = 24 * time.Hour

// staleness warns about every snapshot scanned more than in.StaleAfter
// before now; a zero StaleAfter warns about none.
func staleness(in Input, now time.Time, warns *warnings) {
	if in.StaleAfter <= 0 {
		return
	}
	for _, host := range sortedKeys(in.Inventory) {
		snap := in.Inventory[host]
		if snap == nil || snap.ScannedAt.IsZero() {
			continue
		}
		if age := now.Sub(snap.ScannedAt); age > in.StaleAfter {
			warns.add("", "host %q: stale snapshot, scanned at %s, %s before the plan (stale after %s); the host may have changed since",
				host, stamp(snap.ScannedAt), roughAge(age), roughAge(in.StaleAfter))
		}
	}
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

// Package reportcache keeps, per host, what planning and evaluating it for
// a reports commit gave (tend report --commit), under a key of everything
// that depends on, so that a later commit from the same inputs neither
// parses the host's snapshot nor plans, evaluates or renders it again: its
// report and snapshot stay on the reports branch as the blobs they are.
//
// The key (Key) digests the tend binary, the report and plan format
// versions, every configuration file's bytes, the configuration commit,
// the stale cut-off, the inventory source, and per host its name, its snapshot file's blob hash,
// its first-seen times and its policy's ring-done times from the history,
// its client label and its last apply. What a host of a later rollout ring
// reads of the earlier rings is checked by the planner (planner.Reused's
// Facts), since earlier rings are planned every time. The instant the
// plan is made for (--at, or now) is not part of the key: each entry's plan
// records the interval of instants over which it and the report hold
// (planner.Reused's EvaluatedAt and ValidUntil: the next approval delay,
// window or freeze transition, expiry, soak end or remediation deadline),
// and an entry is taken only for an instant inside it. Staleness and the
// fleet summary (days open, recent installs) are worked out on every run.
//
// The entries live in one file, CONFIG/.tend/reportcache/entries, by key.
// A run that stored entries rewrites it with the entries it used, no
// others, so it holds at most one fleet's; the new file is written aside
// and renamed into place, so concurrent runs each leave a whole file (the
// last one's); a file or entry that cannot be read is a miss; the
// directory can be deleted at any time.
package reportcache

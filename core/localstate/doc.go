// Package localstate keeps what CLI runs (tend plan, apply, report) learn
// between runs in the configuration's .tend/state directory: when each
// update without a release date was first seen on each host
// (first_seen.json, so approval delays come due however often hosts are
// rescanned), and each host's last apply (hosts/<host>/last_apply.json,
// in the shape of report.json's last_apply). Files are versioned and
// replaced atomically; a file that cannot be read is an error naming it,
// never silently reset.
package localstate

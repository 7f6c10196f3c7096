// Package history reads what tend serve recorded on the reports branch
// besides the snapshots: each policy's rollout state (rollouts/*.json) and
// each host's report with its last apply (hosts/<host>/report.json), for
// the daemon's next reconcile, for plans and reports made from git:REF, and
// for CLI runs, which read every copy of the branch in the configuration's
// repository (ReadCopies). It is apart from core/reportsbranch, which only
// knows Git and the layout, because it decodes rollout states.
package history

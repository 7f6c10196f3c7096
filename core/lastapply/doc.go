// Package lastapply folds apply results into each host's last apply
// (model.LastApply), the last_apply of hosts/<host>/report.json: tend
// serve keeps it on the reports branch, CLI runs in the configuration's
// .tend/state. Both build it here, so both show the same thing.
package lastapply

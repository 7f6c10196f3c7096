// Package daemon is tend serve's reconciler (DESIGN.md section 6): Run
// reconciles at once, then on every interval tick (±10%) or webhook push,
// one reconcile at a time, and Serve answers /webhook, /healthz, /readyz
// and /metrics.
//
// A reconcile is one ordered list of steps over one state value (see
// Daemon.steps): fetch the watched branch; verify the head commit (a
// trusted signature when signers are configured, and that it descends from
// the configuration in force unless Options.AllowRewind names it); load its
// configuration and lock file; govern, that is settle which configuration
// governs (the head's, or the last good one) and publish the status; read
// the history from the reports branch (the local copy while the remote is
// out of reach); scan the hosts; recover the applies a crash interrupted;
// plan; apply what is due through the journal; rescan the hosts the apply
// touched; report. A reconcile that finished then hands what it saw to the
// notifier (notify.go), which queues it and sends it on its own.
//
// A step returns nil or a typed error that says what happens next:
//   - *StallError: the head must not be applied (state "unverified" or
//     "invalid"). The last good configuration governs and the reconcile
//     goes on with it; status.json, the SUMMARY.md banner, /readyz and the
//     reconcile metric say why until a new commit arrives.
//   - *WaitError: nothing to do now (nothing due, rollouts halted until a
//     new commit, hosts just recovered, draining). The reconcile goes on.
//   - *RetryError: a failure that may pass (the repository or reports
//     branch unreachable, providers that did not start, cancelled, no
//     configuration ever loaded). The reconcile stops with a *StepError
//     naming the step, and Run tries again at its next tick or push.
//
// A failed fetch is no failure while there is a commit to go on with: the
// last fetched head is judged as usual and the status says fetch_failed.
//
// What persists: in the state dir (0700, locked by one daemon), the clone
// of the configuration repository (repo.git), the exported configurations
// (config/), the last good commit (good-commit) and the apply journal (an
// intent synced before each host's apply, its results after, kept until
// the reports holding them are pushed) and the notifications not sent yet
// (notify/: the outbox, what each sink was sent; see core/notify); on the
// reports branch, the reports
// layout, the rollout states (rollouts/<policy>.json: ring progress, halts,
// first sightings) and status.json. Everything else (the configuration in
// force, the status, what the branch last held) is rebuilt from those
// after a restart.
package daemon

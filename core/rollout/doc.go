// Package rollout keeps what tend serve learns about a policy's staged
// rollout between reconciles: when each ring finished an update (soak counts
// from it), whether the rollout halted, and when updates without a release
// date were first seen (approval delays count from it). It is the contract
// file rollouts/<policy>.json of the reports branch, so the state survives
// restarts and is visible in Git.
//
// Next (one policy) and NextAll (every policy of a configuration) are
// pure: the daemon reads the previous states from the reports branch,
// passes what this reconcile planned and did, and commits the result.
package rollout

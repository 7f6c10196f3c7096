// Package planner computes a patch plan: a pure, deterministic function of a
// configuration, the fleet's inventory and the current time. It performs no
// I/O and reads no clock; everything time-based (windows, freezes,
// suspensions, approval delays, soak) is judged against Input.Now, which is what lets `tend plan --at`
// preview the future.
//
// For every host a policy targets, each available update ends in exactly one
// of three lists: Actions (do it now), Deferred (approved, but waiting for a
// window, a freeze, a suspension, a delay or an earlier ring) or Skipped (rejected, excluded, pinned
// elsewhere or not approved), always with a reason a human can read.
//
// The planner knows no provider: where it must order two versions (is a pin
// an upgrade or a downgrade?) it asks core/version, by the version scheme
// the provider's inventory declares.
package planner

// Package compliance turns a plan into per-host compliance reports
// (report.json) and a fleet summary (summary.json), after AWS Systems
// Manager's vocabulary. It decides nothing the planner has not: an update is
// required when the plan approved it and its approval delay has passed.
//
// The rules, per host and provider plan:
//
//   - an action (install, upgrade, downgrade) is a "missing" item: installed
//     is the current version ("" for a new install), required is its target;
//   - a deferred update is "missing" when a window or an earlier ring holds
//     it; while its approval delay has not passed it is not required yet:
//     the installed package is "installed_other";
//   - a "missing" item whose action failed or was interrupted in the host's
//     last apply is "failed" instead;
//   - an installed package that matches a reject is "installed_rejected";
//   - a provider that reports a pending reboot adds one item, package
//     "(reboot)", state "installed_pending_reboot";
//   - a package the provider reports unfinished (dpkg left it
//     half-configured, unpacked, …) is "failed", with a detail saying so,
//     and is listed among the fleet's failures;
//   - an installed package whose update is skipped (excluded, unapproved,
//     pinned elsewhere, ring-less, version-rejected) is "installed_other",
//     with the update and the reason as detail;
//   - the packages the policy names that the plan leaves alone
//     (model.HostPlan.Named) are "installed" (at the pin, or approved by
//     name with no update), "installed_other" (a pin the sources do not
//     offer) or "not_applicable" (not on the host);
//   - a package tend installed (a succeeded action of the last apply, or an
//     installed_at of the previous report at the same version) is dated
//     with installed_at, and listed as "installed" when nothing else lists
//     it.
//
// When two policies report the same package, the state rank orders wins.
// A host is "non_compliant" when an item is missing, failed,
// installed_rejected or installed_pending_reboot, or a provider plan with
// inventory has errors; else "unknown" when it was never scanned or a
// provider has no inventory; else "compliant". The summary's
// recently_installed lists the items dated within model.RecentWindow.
package compliance

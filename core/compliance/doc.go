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
//     it; while its approval delay has not passed it is not required yet and
//     gets no item;
//   - a "missing" item whose action failed or was interrupted in the host's
//     last apply is "failed" instead;
//   - an installed package that matches a reject is "installed_rejected";
//   - a provider that reports a pending reboot adds one item, package
//     "(reboot)", state "installed_pending_reboot";
//   - a package the provider reports unfinished (dpkg left it
//     half-configured, unpacked, …) is "failed", with a detail saying so,
//     and is listed among the fleet's failures;
//   - excluded, unapproved, pinned-elsewhere and ring-less updates get no
//     item, nor do installed packages the policy does not require
//     (installed_other): listing them would make every report as long as the
//     host's package list.
//
// A host is "unknown" when it was never scanned, else "non_compliant" when
// an item is missing, failed, installed_rejected or installed_pending_reboot,
// else "compliant".
package compliance

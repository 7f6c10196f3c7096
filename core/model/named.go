package model

// NamedPackage is a package a policy names — a pin, or an approve block's
// packages — that the host plan neither changes, defers nor skips: where it
// stands on the host, as the planner found it. Compliance turns it into an
// installed, installed_other or not_applicable item. It is not part of plan
// JSON.
type NamedPackage struct {
	Package string
	// Installed is the installed version; "" when the host does not have
	// the package and no update would install it.
	Installed string
	// Pin is the pinned version; "" for a package an approve block names.
	Pin string
	// Reason is the rule that names the package, e.g. "pin nginx =
	// 1.22.1-9" or "approve[1]: packages=openssl".
	Reason string
	// Problem says why the pinned version cannot be reached, e.g. the
	// host's sources do not offer it; "" when nothing stands in the way.
	Problem string
}

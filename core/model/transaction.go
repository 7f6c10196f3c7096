package model

// Change kinds: what a package manager's transaction does to one package.
const (
	ChangeInstall   = "install"
	ChangeUpgrade   = "upgrade"
	ChangeDowngrade = "downgrade"
	ChangeRemove    = "remove"
)

// Change is one package a provider's transaction would change, as the
// package manager itself resolved it (apt-get --simulate): the planned
// packages and whatever they pull in or push out.
type Change struct {
	Package string `json:"package"`
	// Kind is ChangeInstall, ChangeUpgrade, ChangeDowngrade or ChangeRemove.
	Kind string `json:"kind"`
	// From is the installed version, "" for an install.
	From string `json:"from"`
	// To is the version it becomes, "" for a removal.
	To string `json:"to"`
	// RequiredBy names the planned packages that bring this change in,
	// as the package manager said; empty for a planned package itself and
	// when the package manager gave no reason.
	RequiredBy []string `json:"required_by"`
}

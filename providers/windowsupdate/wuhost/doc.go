// Package wuhost is a replayed Windows host for the Windows Update
// provider: a State holds what the host's Windows Update Agent knows (a
// scan document in the script contract's form, and what installing each
// update gives), and answers the provider's commands as a real host
// would, checking each against the contract first: the exact
// powershell.exe argv, one of the provider's own embedded scripts, and
// its parameters on stdin. An apply marks the updates it installs, so a
// later scan sees them installed (and a reboot pending where they need
// one); shutdown.exe clears the pending reboot.
//
// It is what `go test` has instead of Windows: the provider's unit and
// conformance tests use a State as their sdk.Runner, and cmd/tend-winhost
// puts one behind a powershell.exe on PATH for tend's end-to-end tests.
// It does not know Windows beyond the contract; docs/providers/windows.md
// says what was and was not tested against a real host.
package wuhost

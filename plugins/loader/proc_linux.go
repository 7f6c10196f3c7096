package loader

import "syscall"

// sysProcAttr has the kernel kill a provider when tend dies, however it
// dies (SIGKILL, the OOM killer): an orphaned provider would otherwise run
// on, holding its socket. Go sets the death signal race-free (the child
// checks its parent is still there) and ties it to the thread that started
// the provider, which lives as long as tend: Go ends a thread only when a
// goroutine locked to it (LockOSThread) returns, which neither tend nor
// the libraries it links do. The SDK's parent watch is the second line.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

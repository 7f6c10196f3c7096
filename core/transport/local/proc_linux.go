package local

import "syscall"

// sysProcAttr has the kernel kill a command when tend dies, however it
// dies (SIGKILL, the OOM killer), so no command runs on unsupervised.
// Pdeathsig follows the thread that started the command, not the process:
// Go ends a thread only when a goroutine locked to it (LockOSThread)
// returns, which neither tend nor the libraries it links do. The signal
// reaches the command itself; its own children see their output pipes
// close.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

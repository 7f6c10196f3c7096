package loader

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/tend-sh/tend/core/transport/proctest"
)

// TestProviderDiesWithTend SIGKILLs a process that launched a provider,
// as when tend is OOM-killed, while the provider waits for a command it
// asked tend to run: neither the provider nor the command may run on,
// orphaned.
func TestProviderDiesWithTend(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), envHelperProvider+"="+testProvider(t), envHelperPidFile+"="+pidFile)
	helper.Stderr = os.Stderr
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	pid := proctest.WaitPidFile(t, pidFile)
	cmdPid := proctest.WaitPidFile(t, pidFile+".cmd")
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	proctest.WaitGone(t, pid, "the provider of the killed tend")
	proctest.WaitGone(t, cmdPid, "the provider's command of the killed tend")
}

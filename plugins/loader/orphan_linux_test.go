package loader

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/tend-sh/tend/core/transport/proctest"
)

// The test binary, started with these variables, stands in for tend: it
// launches the provider at envHelperProvider, writes its pid to
// envHelperPidFile and waits to be killed.
const (
	envHelperProvider = "TEND_LOADER_TEST_HELPER_PROVIDER"
	envHelperPidFile  = "TEND_LOADER_TEST_HELPER_PIDFILE"
)

func helperLaunch(path, pidFile string) int {
	sum, err := Checksum(path)
	if err == nil {
		var p *Provider
		if p, err = Launch(Options{Name: "test", Path: path, Checksum: sum}); err == nil {
			err = os.WriteFile(pidFile, []byte(strconv.Itoa(p.Pid())+"\n"), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	select {}
}

// TestProviderDiesWithTend SIGKILLs a process that launched a provider,
// as when tend is OOM-killed: the provider must not run on, orphaned.
func TestProviderDiesWithTend(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), envHelperProvider+"="+testProvider(t), envHelperPidFile+"="+pidFile)
	helper.Stderr = os.Stderr
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	pid := proctest.WaitPidFile(t, pidFile)
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	proctest.WaitGone(t, pid, "the provider of the killed tend")
}

package local

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/tend-sh/tend/core/transport/proctest"
	"github.com/tend-sh/tend/plugins/sdk"
)

// envOrphanHelper makes the test binary a stand-in for tend: it runs a
// long command through Runner, which writes its pid to the file the
// variable names, and waits.
const envOrphanHelper = "TEND_LOCAL_TEST_HELPER_PIDFILE"

func TestMain(m *testing.M) {
	if pidFile := os.Getenv(envOrphanHelper); pidFile != "" {
		_, err := Runner{}.Run(context.Background(), sdk.Cmd{Argv: []string{"sh", "-c", `echo $$ > "$1"; exec sleep 600`, "sh", pidFile}})
		fmt.Fprintln(os.Stderr, "helper: the command ended:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// TestCommandDiesWithTend SIGKILLs a process running a command through
// Runner, the way tend dies when it is OOM-killed: the command must not
// run on without it.
func TestCommandDiesWithTend(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), envOrphanHelper+"="+pidFile)
	helper.Stderr = os.Stderr
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	pid := proctest.WaitPidFile(t, pidFile)
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	proctest.WaitGone(t, pid, "the command of the killed tend")
}

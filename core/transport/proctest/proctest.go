//go:build unix

// Package proctest helps tests watch real processes: how long to wait,
// reading the pid a command wrote, and waiting until a process is gone.
package proctest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Timeout is how long a test waits for something that should happen
// promptly: two minutes, or less when the test's deadline comes sooner.
// Machines running tests can be slow and loaded; only a hang should fail.
func Timeout(t testing.TB) time.Duration {
	d := 2 * time.Minute
	if tt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := tt.Deadline(); ok {
			if left := time.Until(dl) - 10*time.Second; left < d {
				d = max(left, time.Second)
			}
		}
	}
	return d
}

// Gone reports whether process pid has exited: it no longer exists, or
// it is a zombie nobody has reaped yet (an orphan in a container whose
// init does not reap).
func Gone(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		// No /proc: ask the kernel; a zombie still counts as running here.
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
	}
	// pid (comm) STATE …; comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return false
	}
	return stat[i+2] == 'Z' || stat[i+2] == 'X'
}

// WaitGone fails the test unless process pid (what names it) is gone
// within Timeout. It polls; it asserts nothing about how long it took. A
// process still there at the end is killed, so a failing test leaves
// nothing behind.
func WaitGone(t testing.TB, pid int, what string) {
	t.Helper()
	deadline := time.Now().Add(Timeout(t))
	for !Gone(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("%s (pid %d) is still running", what, pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// KillAtCleanup kills process pid when the test ends, should it still run.
func KillAtCleanup(t testing.TB, pid int) {
	t.Cleanup(func() {
		if !Gone(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// WaitPidFile waits (up to Timeout) until path holds a pid followed by a
// newline, as `echo $$ > path` writes it, and returns it. The process is
// killed when the test ends, should it still run.
func WaitPidFile(t testing.TB, path string) int {
	t.Helper()
	deadline := time.Now().Add(Timeout(t))
	for {
		data, err := os.ReadFile(path)
		if s, ok := strings.CutSuffix(string(data), "\n"); err == nil && ok {
			pid, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || pid <= 0 {
				t.Fatalf("%s holds %q, not a pid", path, data)
			}
			KillAtCleanup(t, pid)
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pid in %s: %v", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

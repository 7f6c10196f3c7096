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
		p, err := os.FindProcess(pid)
		return err != nil || errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
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
			kill(pid)
			t.Fatalf("%s (pid %d) is still running", what, pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// KillAtCleanup kills process pid when the test ends, should it still run.
func KillAtCleanup(t testing.TB, pid int) {
	t.Cleanup(func() {
		if !Gone(pid) {
			kill(pid)
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

func kill(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

// KillPidFileAtCleanup kills, when the test ends, the process whose pid is
// in path, if the file was written and the process still runs: commands a
// test abandons (sshd leaves a root login's commands running when the
// session closes) do not outlive it.
func KillPidFileAtCleanup(t testing.TB, path string) {
	t.Cleanup(func() {
		data, err := os.ReadFile(path)
		if err != nil {
			return
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 && !Gone(pid) {
			kill(pid)
		}
	})
}

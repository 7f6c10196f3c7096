package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// serveHub is the -hub mode: a nats-server with JetStream embedded in its own
// process, so the benchmark can account for the server's CPU and memory
// apart from the simulated agents'. It prints "ready" when it accepts
// connections and shuts down cleanly on SIGTERM, or when its stdin closes
// (the benchmark that started it is gone).
func serveHub(port int, store string) error {
	raiseFileLimit()
	srv, err := server.NewServer(&server.Options{
		Host:          "127.0.0.1",
		Port:          port,
		JetStream:     true,
		StoreDir:      store,
		NoSigs:        true,
		NoLog:         true,
		WriteDeadline: time.Minute,
	})
	if err != nil {
		return err
	}
	go srv.Start()
	if !srv.ReadyForConnections(2 * time.Minute) {
		return fmt.Errorf("nats-server on 127.0.0.1:%d not ready after 2 minutes", port)
	}
	fmt.Println("ready")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		sig <- syscall.SIGTERM
	}()
	<-sig
	srv.Shutdown()
	srv.WaitForShutdown()
	return nil
}

// raiseFileLimit raises the soft limit on open files to the hard limit: 10,000
// connections need 10,000 descriptors on each side.
func raiseFileLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	l.Cur = l.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	return l.Cur
}

// hub is the server process as the benchmark sees it.
type hub struct {
	port  int
	store string
	cmd   *exec.Cmd
	// stdin is held open while the server runs: it exits when it closes.
	stdin io.WriteCloser
	// cpuBefore is the CPU of the processes stopped before (a restart).
	cpuBefore time.Duration
	peakRSS   int64
}

func (h *hub) start() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "-hub", "-port", strconv.Itoa(h.port), "-store", h.store)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("hub did not start (%q): %v", line, err)
	}
	h.cmd, h.stdin = cmd, stdin
	return nil
}

// stop shuts the server down (SIGTERM) and waits for it to exit.
func (h *hub) stop() error {
	if h.cmd == nil {
		return nil
	}
	h.sampleRSS()
	_ = h.cmd.Process.Signal(syscall.SIGTERM)
	err := h.cmd.Wait()
	_ = h.stdin.Close()
	h.cpuBefore += h.cmd.ProcessState.UserTime() + h.cmd.ProcessState.SystemTime()
	if ru, ok := h.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss<<10 > h.peakRSS {
		h.peakRSS = ru.Maxrss << 10
	}
	h.cmd = nil
	return err
}

// cpu is the server's CPU time (user + system) so far, over restarts.
func (h *hub) cpu() time.Duration {
	if h.cmd == nil {
		return h.cpuBefore
	}
	return h.cpuBefore + procCPU(h.cmd.Process.Pid)
}

// rss is the running server's resident memory now, in bytes.
func (h *hub) rss() int64 {
	if h.cmd == nil {
		return 0
	}
	return procStatus(h.cmd.Process.Pid, "VmRSS:")
}

// sampleRSS records the running server's peak resident memory so far.
func (h *hub) sampleRSS() {
	if h.cmd == nil {
		return
	}
	if hwm := procStatus(h.cmd.Process.Pid, "VmHWM:"); hwm > h.peakRSS {
		h.peakRSS = hwm
	}
}

// procCPU reads utime + stime of a process from /proc (clock ticks of 10 ms,
// Linux's USER_HZ).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// procStatus reads a kB field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// selfCPU is this process's CPU time so far (the agents and the controller).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadavg is the machine's 1-minute load average.
func loadavg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

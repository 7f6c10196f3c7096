//go:build unix

package sdk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/transport/proctest"
	"github.com/tend-sh/tend/plugins/internal/handshake"
)

// The test binary plays two parts: with envServe set it serves stubProvider
// as a plugin; with envParent set it stands in for a tend without the
// kernel's death signal, starting the plugin (itself), writing the
// plugin's pid to the file envParent names and waiting to be killed.
const (
	envServe  = "TEND_SDK_TEST_SERVE"
	envParent = "TEND_SDK_TEST_PARENT_PIDFILE"
)

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(envServe) != "":
		Serve(stubProvider{})
		os.Exit(0)
	case os.Getenv(envParent) != "":
		os.Exit(parentOfPlugin(os.Getenv(envParent)))
	}
	os.Exit(m.Run())
}

type stubProvider struct{}

func (stubProvider) Schema(context.Context) (*SchemaResponse, error) {
	return &SchemaResponse{Name: "stub", Version: "0.0.1"}, nil
}

func (stubProvider) Scan(context.Context, *ScanRequest) (*ScanResponse, error) {
	return nil, errors.New("stub")
}

func (stubProvider) Apply(context.Context, *ApplyRequest, ProgressFunc) (*ApplyResponse, error) {
	return nil, errors.New("stub")
}

// parentOfPlugin starts the plugin with files for its output, so that
// nothing but the plugin's own watch (no broken pipe, no death signal)
// can end it once this process is gone.
func parentOfPlugin(pidFile string) int {
	dir := filepath.Dir(pidFile)
	out, err := os.Create(filepath.Join(dir, "plugin.out"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envServe+"=1", envParent+"=",
		handshake.Config.MagicCookieKey+"="+handshake.Config.MagicCookieValue,
		"PLUGIN_PROTOCOL_VERSIONS="+strconv.Itoa(handshake.ProtocolVersion))
	cmd.Stdout, cmd.Stderr = out, out
	if err = cmd.Start(); err == nil {
		err = os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	select {}
}

// TestPluginExitsWhenTendDies SIGKILLs the process that started a plugin,
// without the death signal tend's loader sets on Linux (other systems
// have none): the plugin notices it was orphaned and exits.
func TestPluginExitsWhenTendDies(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), envParent+"="+pidFile)
	parent.Stderr = os.Stderr
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if data, _ := os.ReadFile(filepath.Join(filepath.Dir(pidFile), "plugin.out")); t.Failed() {
			t.Logf("plugin output:\n%s", data)
		}
	})
	pid := proctest.WaitPidFile(t, pidFile)
	// Kill the parent once the plugin serves, as tend's loader waits for.
	waitForHandshake(t, filepath.Join(filepath.Dir(pidFile), "plugin.out"))
	if err := parent.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()
	proctest.WaitGone(t, pid, "the plugin whose parent was killed")
}

// waitForHandshake waits until the plugin printed go-plugin's handshake
// line (…|grpc|) to the file its output goes to.
func waitForHandshake(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(proctest.Timeout(t))
	for {
		if data, _ := os.ReadFile(path); strings.Contains(string(data), "|grpc|") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the plugin printed no handshake")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

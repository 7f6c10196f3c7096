package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/plugins/internal/handshake"
	"github.com/tend-sh/tend/plugins/loader"
)

// BuildBinary builds the provider's main package pkg (a path or package
// pattern as go build takes it, relative to the test's directory: "." for a
// provider whose tests sit beside its main) into a temporary directory and
// returns the binary's path. The Go build cache makes repeated builds cheap.
func BuildBinary(t testing.TB, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "provider-under-test")
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("conformance: go build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

// launched is a provider started for the checks.
type launched struct {
	*loader.Provider
	logs *syncBuffer
}

// launch starts tc's binary through loader.Launch, with its checksum
// checked as tend does.
func launch(tc *TestCase) (*launched, error) {
	logs := &syncBuffer{}
	logger := logrus.New()
	logger.SetOutput(logs)
	logger.SetLevel(logrus.DebugLevel)
	name := tc.Name
	if name == "" {
		name = "under-test"
	}
	sum, err := loader.Checksum(tc.Binary)
	if err != nil {
		return nil, err
	}
	p, err := loader.Launch(loader.Options{Name: name, Path: tc.Binary, Checksum: sum, Logger: logger})
	if err != nil {
		return nil, err
	}
	return &launched{Provider: p, logs: logs}, nil
}

// checkRefusesManualStart runs the binary as a person would, without
// tend's handshake cookie: it must exit with a message, not hang.
func checkRefusesManualStart(binary string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, handshake.Config.MagicCookieKey+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		return errors.New("started by hand (without tend's handshake cookie) it did not exit within 10s; providers must call sdk.Serve, which refuses to run outside tend")
	case err == nil:
		return errors.New("started by hand (without tend's handshake cookie) it exited 0; sdk.Serve exits non-zero with a note")
	case len(bytes.TrimSpace(out)) == 0:
		return fmt.Errorf("started by hand it failed (%v) without saying why", err)
	}
	return nil
}

// syncBuffer collects the provider's log lines for failure reports.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last n lines.
func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimRight(b.buf.String(), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// bootIDCmd reads the Linux kernel's per-boot random id: it changes on
// every boot, which tells a finished reboot from a host that has not gone
// down yet.
var bootIDCmd = sdk.Cmd{Argv: []string{"cat", "/proc/sys/kernel/random/boot_id"}, Timeout: 10 * time.Second}

// bootID returns the host's boot id, or "" when it cannot be read (not
// Linux, or the host is down).
func bootID(ctx context.Context, runner sdk.Runner) string {
	res, err := runner.Run(ctx, bootIDCmd)
	if err != nil || res.ExitCode != 0 {
		return ""
	}
	return strings.TrimSpace(string(res.Stdout))
}

// ErrRebootTimeout means a host did not come back from a reboot in time.
var ErrRebootTimeout = errors.New("the host did not come back from its reboot in time")

// waitForReboot polls the host until it answers with a boot id other than
// before. Without a boot id to compare (non-Linux hosts), it waits until
// the host was seen unreachable and then reachable again. poll is the
// interval between attempts.
func waitForReboot(ctx context.Context, runner sdk.Runner, before string, timeout, poll time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	wentDown := false
	for {
		res, err := runner.Run(ctx, bootIDCmd)
		up := err == nil && res.ExitCode == 0
		id := strings.TrimSpace(string(res.Stdout))
		switch {
		case up && before != "" && id != "" && id != before:
			return nil
		case up && (before == "" || id == "") && wentDown:
			return nil
		case !up:
			wentDown = true
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%w (waited %s)", ErrRebootTimeout, timeout)
			}
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

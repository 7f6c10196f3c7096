package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// BootIDCmds read an id that changes on every boot, which tells a finished
// reboot from a host that has not gone down yet; they are tried in order
// until one prints an id: the Linux kernel's per-boot random id, then
// Windows' last boot time (through Windows PowerShell, which every Windows
// has; on Windows `cat` is unknown to cmd.exe and finds no such path in
// PowerShell).
var BootIDCmds = []sdk.Cmd{
	{Argv: []string{"cat", "/proc/sys/kernel/random/boot_id"}, Timeout: 10 * time.Second},
	{Argv: []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
		"(Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToFileTimeUtc()"}, Timeout: 30 * time.Second},
}

// probeBoot returns the host's boot id ("" when none of BootIDCmds gives
// one) and whether the host answered at all: a runner error on the first
// command means it is unreachable; on a later one, only that this host
// lacks that program.
func probeBoot(ctx context.Context, runner sdk.Runner) (id string, up bool) {
	for i, c := range BootIDCmds {
		res, err := runner.Run(ctx, c)
		if err != nil {
			if i == 0 {
				return "", false
			}
			continue
		}
		up = true
		if id := strings.TrimSpace(string(res.Stdout)); res.ExitCode == 0 && id != "" {
			return id, true
		}
	}
	return "", up
}

// bootID returns the host's boot id, or "" when it cannot be read (neither
// Linux nor Windows, or the host is down).
func bootID(ctx context.Context, runner sdk.Runner) string {
	id, _ := probeBoot(ctx, runner)
	return id
}

// ErrRebootTimeout means a host did not come back from a reboot in time.
var ErrRebootTimeout = errors.New("the host did not come back from its reboot in time")

// waitForReboot polls the host until it answers with a boot id other than
// before. Without a boot id to compare (neither Linux nor Windows), it
// waits until the host was seen unreachable and then reachable again.
// poll is the interval between attempts.
func waitForReboot(ctx context.Context, runner sdk.Runner, before string, timeout, poll time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	wentDown := false
	for {
		id, up := probeBoot(ctx, runner)
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

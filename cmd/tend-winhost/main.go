// Command tend-winhost is a replayed Windows host, for tests that have no
// Windows: installed on PATH as powershell.exe, shutdown.exe and cat, it
// answers the Windows Update provider's commands from a state file,
// checking each against the script contract (DESIGN.md section 5: the
// exact argv, one of the provider's embedded scripts, its parameters on
// stdin), and saves what an apply or a restart changed, so tend scan,
// plan, apply and report run end to end over the local transport. It also
// answers tend's own boot-time probe (core/apply BootIDCmds) with a boot
// time that moves on every restart, and, as cat, says what cmd.exe says:
// a Windows host has no cat.
//
// Usage (as the tests set it up):
//
//	go build -o BIN/powershell.exe ./cmd/tend-winhost
//	ln BIN/powershell.exe BIN/shutdown.exe; ln BIN/powershell.exe BIN/cat
//	TEND_WINHOST_STATE=host.json PATH=BIN:$PATH tend apply …
//
// The state file is a providers/windowsupdate/wuhost State, e.g. one of
// providers/windowsupdate/testdata/hosts/*.json; one file is one host.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/windowsupdate/wuhost"
)

// EnvState names the state file.
const EnvState = "TEND_WINHOST_STATE"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// run answers one command: args as the program was started (its base
// name is the program it stands in for), stdin as it was given.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	path := os.Getenv(EnvState)
	if path == "" {
		fmt.Fprintf(stderr, "tend-winhost: set %s to the host's state file\n", EnvState)
		return 64
	}
	in, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "tend-winhost: reading stdin: %v\n", err)
		return 64
	}
	s, err := wuhost.Load(path)
	if err != nil {
		fmt.Fprintf(stderr, "tend-winhost: %v\n", err)
		return 64
	}
	argv := append([]string{filepath.Base(args[0])}, args[1:]...)
	res, err := answer(s, sdk.Cmd{Argv: argv, Stdin: in})
	if err != nil {
		fmt.Fprintf(stderr, "tend-winhost: %v\n", err)
		return 64
	}
	if err := s.Save(path); err != nil {
		fmt.Fprintf(stderr, "tend-winhost: saving %s: %v\n", path, err)
		return 64
	}
	_, _ = stdout.Write(res.Stdout)
	_, _ = stderr.Write(res.Stderr)
	return res.ExitCode
}

// bootTime is the host's first boot as a Windows file time (100 ns since
// 1601, UTC): 2024-10-10T19:55:00Z; every restart adds ten minutes.
const bootTime = 133730805000000000

// answer runs one command against the host: tend's boot-time probe and cat
// here, the provider's commands in the state.
func answer(s *wuhost.State, c sdk.Cmd) (sdk.Result, error) {
	for _, probe := range apply.BootIDCmds {
		if slices.Equal(c.Argv, probe.Argv) && c.Argv[0] != "cat" {
			return sdk.Result{Stdout: []byte(strconv.Itoa(bootTime+s.Reboots*6_000_000_000) + "\r\n")}, nil
		}
	}
	if c.Argv[0] == "cat" {
		return sdk.Result{ExitCode: 1, Stderr: []byte("'cat' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n")}, nil
	}
	return s.Run(context.Background(), c)
}

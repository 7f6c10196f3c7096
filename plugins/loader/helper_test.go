package loader

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/tend-sh/tend/core/transport/local"
)

// The test binary, started with these variables, stands in for tend: it
// launches the provider at envHelperProvider, writes its pid to
// envHelperPidFile, has it scan, which runs a long command through the
// local transport that writes its pid to envHelperPidFile.cmd, and waits
// to be killed.
const (
	envHelperProvider = "TEND_LOADER_TEST_HELPER_PROVIDER"
	envHelperPidFile  = "TEND_LOADER_TEST_HELPER_PIDFILE"
)

func helperLaunch(path, pidFile string) int {
	sum, err := Checksum(path)
	var p *Provider
	if err == nil {
		p, err = Launch(Options{Name: "test", Path: path, Checksum: sum})
	}
	if err == nil {
		err = p.Configure(context.Background(), map[string]any{"greeting": "sleep:" + pidFile + ".cmd"})
	}
	if err == nil {
		err = os.WriteFile(pidFile, []byte(strconv.Itoa(p.Pid())+"\n"), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	_, _, err = p.Scan(context.Background(), "web_1", nil, local.Runner{})
	fmt.Fprintln(os.Stderr, "helper: the scan ended:", err)
	return 1
}

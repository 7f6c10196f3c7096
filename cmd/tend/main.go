// Command tend keeps a fleet's patch state in Git: it validates and formats
// the HCL configuration, plans what to install where and when, and (with
// providers) applies and reports it. See docs/cli.md.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

func main() {
	os.Exit(profiled(func() int { return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr) }))
}

// profiled runs f, writing a CPU profile to the file TEND_CPUPROFILE names
// when it is set (for benchmarks: docs/benchmarks.md).
func profiled(f func() int) int {
	path := os.Getenv("TEND_CPUPROFILE")
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "TEND_CPUPROFILE: %v\n", err)
		return 1
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		fmt.Fprintf(os.Stderr, "TEND_CPUPROFILE: %v\n", err)
		return 1
	}
	defer pprof.StopCPUProfile()
	return f()
}

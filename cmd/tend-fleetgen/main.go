// Command tend-fleetgen writes a synthetic fleet for benchmarks: a tend
// configuration with a host list under DIR/config and one inventory
// snapshot per host under DIR/snapshots. The same flags give the same bytes.
//
//	tend-fleetgen -hosts 10000 -installed 1000 -available 30 -seed 1 -out bin/fleet
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tend-sh/tend/cmd/tend-fleetgen/fleetgen"
)

// progressEvery is how many hosts pass between progress lines.
const progressEvery = 1000

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run parses args, generates the fleet and reports on stderr; it returns the
// exit code.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("tend-fleetgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts fleetgen.Options
	var out string
	fs.IntVar(&opts.Hosts, "hosts", 100, "number of hosts")
	fs.IntVar(&opts.Installed, "installed", 1000, "installed packages per host")
	fs.IntVar(&opts.Available, "available", 30, "available updates per host")
	fs.Uint64Var(&opts.Seed, "seed", 1, "seed of the random generator")
	fs.StringVar(&out, "out", "", "output directory (required)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: tend-fleetgen -out DIR [-hosts N] [-installed M] [-available K] [-seed S]")
		return 2
	}
	opts.Progress = func(done int) {
		if done%progressEvery == 0 && done < opts.Hosts {
			fmt.Fprintf(stderr, "%d/%d hosts\n", done, opts.Hosts)
		}
	}
	if err := fleetgen.Generate(opts, fleetgen.DirWriter(out)); err != nil {
		fmt.Fprintf(stderr, "tend-fleetgen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "wrote %d hosts to %s\n", opts.Hosts, out)
	return 0
}

// Command tend-bench measures a tend command against its baseline side by
// side: the two run interleaved (A B A B …) so both see the same machine
// load, and each run's CPU time (user + system, the command's processes
// included), wall time and peak RSS are taken from the kernel (wait4). A
// row of medians and the CPU ratio is appended to a JSON Lines file;
// -table turns such a file into the Markdown table of docs/benchmarks.md.
//
//	tend-bench -rows bin/bench/rows.jsonl -name "tend plan, 1,000 hosts" -goal "≤ 0.3" \
//	    -setup 'rm -rf out' -a 'tend plan … > plan.json' -b 'find … | xargs jq -c . > /dev/null'
//	tend-bench -table bin/bench/rows.jsonl -doc docs/benchmarks.md
//
// Commands run with bash -e -o pipefail: a failing command fails the
// benchmark. -setup runs, untimed, before every run of either side.
// Where no command is the baseline (tend serve over replayed hosts), -ideal
// gives the ideal wall time instead, and the ratio is of wall times.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tend-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.rows, "rows", "", "JSON Lines file the row is appended to (required)")
	fs.StringVar(&o.name, "name", "", "what is measured, as the table names it")
	fs.StringVar(&o.goal, "goal", "", "the goal for the ratio, as the table shows it (\"≤ 1.0\")")
	fs.StringVar(&o.a, "a", "", "the tend command (bash)")
	fs.StringVar(&o.b, "b", "", "the baseline command (bash)")
	fs.StringVar(&o.baseline, "baseline", "", "the baseline as the table names it (default: -b)")
	fs.StringVar(&o.setup, "setup", "", "command run before every run, not timed")
	fs.StringVar(&o.dir, "dir", ".", "directory the commands run in")
	fs.IntVar(&o.rounds, "rounds", 5, "rounds of A then B")
	fs.Float64Var(&o.ideal, "ideal", 0, "instead of a baseline command: the ideal wall time in seconds; the ratio is tend's median wall time over it")
	fs.StringVar(&o.table, "table", "", "print the Markdown table of this rows file instead of measuring")
	fs.StringVar(&o.doc, "doc", "", "with -table: replace the table between the bench markers of this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	switch {
	case o.table != "":
		err = writeTable(o.table, o.doc, stdout)
	case o.rows == "" || o.name == "" || o.a == "" || (o.b == "") == (o.ideal <= 0) || o.rounds < 1:
		fmt.Fprintln(stderr, "usage: tend-bench -rows FILE -name NAME -a CMD (-b CMD | -ideal SECONDS) [-setup CMD] [-rounds N] [-goal G]\n       tend-bench -table FILE [-doc FILE]")
		return 2
	default:
		err = measure(o, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "tend-bench: %v\n", err)
		return 1
	}
	return 0
}

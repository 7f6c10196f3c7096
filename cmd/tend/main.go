// Command tend keeps a fleet's patch state in Git: it validates and formats
// the HCL configuration, plans what to install where and when, and (with
// providers) applies and reports it. See docs/cli.md.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Command tend-provider-textpkg is an example third-party tend provider,
// built only on the public SDK (github.com/tend-sh/tend/plugins/sdk).
//
// It manages "packages" that live in two text files on the target host: a
// catalog of offered versions and a state file of installed ones. Every
// file access goes through tend's Runner — cat to read, tee and mv to
// write — so it works on any host tend reaches, and its tests run the
// conformance kit against recorded fixtures. See README.md.
package main

import (
	"log"

	"github.com/tend-sh/tend/plugins/sdk"
)

func main() {
	// Log lines go to stderr; go-plugin hands them to tend, which shows
	// them with --log-level debug. Stdout belongs to the plugin protocol.
	log.SetFlags(0)
	sdk.Serve(provider{})
}

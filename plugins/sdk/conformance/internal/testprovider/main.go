// Command testprovider serves fakepkg.Provider as a plugin binary for the
// conformance kit's tests; $FAKEPKG_BUG selects a deliberate bug, and
// $FAKEPKG_RESOLVE=1 serves it as a fakepkg.Resolver.
package main

import (
	"os"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/plugins/sdk/conformance/internal/fakepkg"
)

func main() {
	p := &fakepkg.Provider{Bug: os.Getenv(fakepkg.EnvBug)}
	if os.Getenv(fakepkg.EnvResolve) == "1" {
		sdk.Serve(fakepkg.Resolver{Provider: p})
		return
	}
	sdk.Serve(p)
}

// Command testprovider serves fakepkg.Provider as a plugin binary for the
// conformance kit's tests; $FAKEPKG_BUG selects a deliberate bug.
package main

import (
	"os"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/plugins/sdk/conformance/internal/fakepkg"
)

func main() { sdk.Serve(&fakepkg.Provider{Bug: os.Getenv(fakepkg.EnvBug)}) }

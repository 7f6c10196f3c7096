package loadertest

import "testing"

// TestProviderConfig is a configuration for the loader's test provider
// (plugins/loader/internal/testprovider) as provider "test": two hosts,
// one local, under a policy that approves security updates.
const TestProviderConfig = `
provider "test" {
  greeting = "hi"
}
host "web_1" {
  transport = "local"
}
host "web_2" {
  address = "10.0.0.2"
}
policy "p" {
  provider = "test"
  targets  = [host.web_1, host.web_2]
  approve {
    classification = ["security"]
  }
}
`

// InstallTestProvider installs the loader's test provider as provider
// "test" (see Install) and returns its directory.
func InstallTestProvider(t testing.TB) string {
	t.Helper()
	return Install(t, "test", "github.com/tend-sh/tend/plugins/loader/internal/testprovider")
}

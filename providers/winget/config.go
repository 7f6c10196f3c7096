package winget

import (
	"fmt"
	"maps"
	"slices"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Name is the provider's name.
const Name = "winget"

// Version is the provider's version.
const Version = "0.1.0"

// Config is the provider block.
type Config struct {
	// AcceptAgreements lets Apply upgrade packages. Update-WinGetPackage
	// accepts a package's agreements (license terms) itself, so without
	// it every upgrade fails with PackageAgreementsNotAccepted and nothing
	// is run.
	AcceptAgreements bool
}

// Schema describes the provider.
func Schema() *sdk.SchemaResponse {
	return &sdk.SchemaResponse{
		Name:    Name,
		Version: Version,
		Attributes: []sdk.Attribute{{
			Name: "accept_agreements", Type: sdk.TypeBool,
			Description: "accept the package agreements (license terms) of the packages tend upgrades; Update-WinGetPackage always accepts them, so without this tend upgrades nothing",
		}},
		Actions:       []string{sdk.ActionUpgrade},
		VersionScheme: sdk.VersionWinget,
	}
}

// ParseConfig decodes the provider block's attributes (decoded JSON
// values). Unknown attributes and values of the wrong type are errors;
// null is the default.
func ParseConfig(m map[string]any) (Config, error) {
	var cfg Config
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if v == nil {
			continue
		}
		if k != "accept_agreements" {
			return cfg, fmt.Errorf("unknown attribute %q (winget takes accept_agreements)", k)
		}
		b, ok := v.(bool)
		if !ok {
			return cfg, fmt.Errorf("accept_agreements: want a bool, got %T", v)
		}
		cfg.AcceptAgreements = b
	}
	return cfg, nil
}

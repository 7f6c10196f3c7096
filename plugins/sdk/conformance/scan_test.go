package conformance

import (
	"slices"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
)

// TestInventorySchemeProblems: sdk.Serve fills the scheme in, but a provider
// not built on the SDK may leave it out of its scans.
func TestInventorySchemeProblems(t *testing.T) {
	inv := &sdk.Inventory{}
	want := []string{`version scheme "", but the schema declares "dotted"; an inventory reports the scheme the schema declares (sdk.Serve fills it in)`}
	if got := inventoryProblems(inv, nil, sdk.VersionDotted); !slices.Equal(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
	inv.VersionScheme = sdk.VersionDotted
	if got := inventoryProblems(inv, nil, sdk.VersionDotted); len(got) != 0 {
		t.Errorf("problems = %q, want none", got)
	}
	if got := inventoryProblems(&sdk.Inventory{}, nil, ""); len(got) != 0 {
		t.Errorf("no scheme declared, none reported: problems = %q, want none", got)
	}
}

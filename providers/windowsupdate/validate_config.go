package windowsupdate

import (
	"fmt"

	"github.com/tend-sh/tend/plugins/sdk"
)

// ValidateConfig checks the provider block and the pins for tend
// validate. Windows Update has no versions to choose between, so every
// pin is an error at the pin.
func ValidateConfig(cfg map[string]any, pins []sdk.Pin) []sdk.Diagnostic {
	var diags []sdk.Diagnostic
	if _, err := ParseConfig(cfg); err != nil {
		diags = append(diags, sdk.Diagnostic{Summary: "Invalid windowsupdate provider block", Detail: err.Error()})
	}
	for _, p := range pins {
		diags = append(diags, sdk.Diagnostic{PinID: p.ID, AboutPackage: true, Summary: "Windows Update cannot pin",
			Detail: fmt.Sprintf("%s = %q: an update is installed or not; it has no versions to pin. Approve, reject or exclude it instead.", p.Package, p.Version)})
	}
	return diags
}

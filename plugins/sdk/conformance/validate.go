package conformance

import (
	"maps"

	"github.com/tend-sh/tend/plugins/sdk"
)

// checkValidateConfig exercises ValidateConfig (tend validate): a provider
// built before the call existed is skipped; one that has it must accept
// TestCase.Config with ValidPins, refuse an unknown attribute with a
// diagnostic about the block, and refuse each of InvalidPins with an error
// naming that pin, and only name pins it was given.
func checkValidateConfig(t tb, p *launched, tc *TestCase) {
	t.Helper()
	ctx, cancel := withTimeout()
	defer cancel()
	diags, supported, err := p.ValidateConfig(ctx, tc.Config, tc.ValidPins)
	if err != nil {
		t.Fatalf("ValidateConfig of TestCase.Config and ValidPins: %v", err)
	}
	if !supported {
		t.Logf("the provider has no ValidateConfig (built with an SDK before it existed); tend validate skips it")
		return
	}
	if errs := errorsIn(diags); len(errs) > 0 {
		t.Errorf("ValidateConfig refused TestCase.Config or ValidPins: %+v", errs)
	}
	checkPinIDs(t, diags, tc.ValidPins)

	bad := maps.Clone(tc.Config)
	if bad == nil {
		bad = map[string]any{}
	}
	bad[unknownAttribute] = "x"
	diags, _, err = p.ValidateConfig(ctx, bad, nil)
	if err != nil {
		t.Fatalf("ValidateConfig with an unknown attribute: %v", err)
	}
	if errs := errorsIn(diags); len(errs) == 0 || errs[0].PinID != "" {
		t.Errorf("ValidateConfig with the unknown attribute %q: diagnostics %+v; want an error about the provider block", unknownAttribute, diags)
	}

	for _, pin := range tc.InvalidPins {
		diags, _, err := p.ValidateConfig(ctx, tc.Config, []sdk.Pin{pin})
		if err != nil {
			t.Errorf("ValidateConfig of invalid pin %s = %q: %v", pin.Package, pin.Version, err)
			continue
		}
		found := false
		for _, d := range errorsIn(diags) {
			found = found || d.PinID == pin.ID
		}
		if !found {
			t.Errorf("ValidateConfig accepted the invalid pin %s = %q (diagnostics %+v); want an error with PinID %q", pin.Package, pin.Version, diags, pin.ID)
		}
		checkPinIDs(t, diags, []sdk.Pin{pin})
	}
}

// errorsIn keeps the error diagnostics.
func errorsIn(diags []sdk.Diagnostic) []sdk.Diagnostic {
	var out []sdk.Diagnostic
	for _, d := range diags {
		if d.Severity == sdk.SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// checkPinIDs fails for a diagnostic about a pin that was not asked about:
// tend could not place it.
func checkPinIDs(t tb, diags []sdk.Diagnostic, pins []sdk.Pin) {
	t.Helper()
	known := map[string]bool{"": true}
	for _, p := range pins {
		known[p.ID] = true
	}
	for _, d := range diags {
		if !known[d.PinID] {
			t.Errorf("diagnostic %q names pin %q, which was not in the request", d.Summary, d.PinID)
		}
	}
}

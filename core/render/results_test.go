package render

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/tend-sh/tend/plugins/lockfile"
)

// TestResultsGolden renders every closing line, in the singular and the
// plural, into one golden file.
func TestResultsGolden(t *testing.T) {
	locks := []lockfile.InitResult{
		{Lock: lockfile.Lock{Name: "apt", Version: "0.1.0", Protocol: 1, Hash: "sha256:9f2c"}, Path: "/opt/tend/tend-provider-apt", Changed: true},
		{Lock: lockfile.Lock{Name: "windowsupdate", Version: "0.2.0", Protocol: 1, Hash: "sha256:0bad"}, Path: "/opt/tend/tend-provider-windowsupdate"},
	}
	providers := []ProviderInfo{
		{Name: "apt", Version: "0.1.0", Protocol: 1, Checksum: "sha256:9f2c", Lock: LockLocked, Path: "/opt/tend/tend-provider-apt"},
		{Name: "fwupd", StartError: "exit status 1", Protocol: 1, Checksum: "sha256:77aa", Lock: LockNone, Path: "/opt/tend/tend-provider-fwupd"},
		{Name: "winget", Protocol: 1, Checksum: "sha256:1234", Lock: LockMismatch, LockedChecksum: "sha256:abcd", Path: "/opt/tend/tend-provider-winget"},
	}
	sections := []struct {
		name   string
		render func(w *bytes.Buffer) error
	}{
		{"ConfigValid one", func(w *bytes.Buffer) error { return ConfigValid(w, ConfigCounts{1, 1, 1}) }},
		{"ConfigValid many", func(w *bytes.Buffer) error { return ConfigValid(w, ConfigCounts{3, 120, 2}) }},
		{"ConfigErrors one", func(w *bytes.Buffer) error { return ConfigErrors(w, 1) }},
		{"ConfigErrors many", func(w *bytes.Buffer) error { return ConfigErrors(w, 4) }},
		{"Scanned one", func(w *bytes.Buffer) error { return Scanned(w, 1, ".tend/inventory") }},
		{"Scanned many", func(w *bytes.Buffer) error { return Scanned(w, 0, "snapshots") }},
		{"ScanFailed none", func(w *bytes.Buffer) error { return ScanFailed(w, nil) }},
		{"ScanFailed one", func(w *bytes.Buffer) error { return ScanFailed(w, []string{"web_1"}) }},
		{"ScanFailed many", func(w *bytes.Buffer) error { return ScanFailed(w, []string{"web_1", "web_2"}) }},
		{"Unformatted one", func(w *bytes.Buffer) error { return Unformatted(w, 1) }},
		{"Unformatted many", func(w *bytes.Buffer) error { return Unformatted(w, 2) }},
		{"PlanErrors none", func(w *bytes.Buffer) error { return PlanErrors(w, emptyPlan()) }},
		{"PlanErrors rich", func(w *bytes.Buffer) error { return PlanErrors(w, richPlan()) }},
		{"Locked", func(w *bytes.Buffer) error { return Locked(w, locks, ".tend.lock.hcl") }},
		{"Locked one", func(w *bytes.Buffer) error { return Locked(w, locks[:1], ".tend.lock.hcl") }},
		{"Providers", func(w *bytes.Buffer) error { return Providers(w, providers) }},
		{"Providers none", func(w *bytes.Buffer) error { return Providers(w, nil) }},
		{"ProvidersJSON", func(w *bytes.Buffer) error { return ProvidersJSON(w, providers) }},
		{"ProvidersJSON none", func(w *bytes.Buffer) error { return ProvidersJSON(w, nil) }},
	}
	var all bytes.Buffer
	for _, s := range sections {
		fmt.Fprintf(&all, "== %s\n", s.name)
		if err := s.render(&all); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	golden(t, "results", all.Bytes())
}

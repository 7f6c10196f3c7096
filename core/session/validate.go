package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/lockfile"
	"github.com/tend-sh/tend/plugins/sdk"
)

// ValidateTimeout bounds how long tend validate waits for one provider to
// start and check its configuration.
const ValidateTimeout = time.Minute

// ValidateProviders asks each provider the policies use to check its
// provider block and the policies' pins (the ValidateConfig call), and
// returns what they found as diagnostics at the pin's package or version,
// or at the provider block.
//
// Only a binary the lock file records, with the recorded checksum, found in
// $TEND_PLUGIN_DIR or next to tend, is run: CONFIG/.tend/providers comes
// with the configuration, and a pull request that brought its own provider
// must not have it run by the CI job that validates it. A provider that
// cannot be run that way (not installed, changed, or only in the
// configuration directory) is a warning saying its pins were not checked;
// providers the lock file does not record get one warning that also says
// tend serve and tend apply refuse the configuration until tend init.
// Neither fails validation by itself. A provider with neither a
// provider block nor pins has nothing to check and is not started. A
// provider built before
// ValidateConfig existed is not asked, silently.
func ValidateProviders(ctx context.Context, cfg *config.Config, log *logrus.Logger) hcl.Diagnostics {
	var diags hcl.Diagnostics
	locks, err := lockfile.Read(cfg.Dir)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Providers not consulted",
			Detail: fmt.Sprintf("%v; the providers did not check their settings and pins.", err)}}
	}
	if err := lockfile.CheckLocks(cfg, locks); err != nil {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Providers not locked",
			Detail: err.Error() + "; until then tend serve and tend apply refuse this configuration, and the providers did not check their settings and pins."})
	}
	for _, name := range lockfile.Needed(cfg) {
		diags = append(diags, validateProvider(ctx, cfg, name, locks, log)...)
	}
	return diags
}

// validateProvider runs one provider's ValidateConfig.
func validateProvider(ctx context.Context, cfg *config.Config, name string, locks map[string]lockfile.Lock, log *logrus.Logger) hcl.Diagnostics {
	pins, where := providerPins(cfg, name)
	if _, hasBlock := cfg.Providers[name]; !hasBlock && len(pins) == 0 {
		return nil // nothing for the provider to check
	}
	at := providerRange(cfg, name)
	skipped := func(why string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Provider not consulted", Subject: at,
			Detail: fmt.Sprintf("provider %q did not check its settings and pins: %s.", name, why)}}
	}
	lock, ok := locks[name]
	if !ok {
		return nil // "Providers not locked" says so
	}
	path, err := loader.Find(name, trustedDirs(cfg.Dir))
	if errors.Is(err, loader.ErrNotFound) {
		if _, inConfig := loader.Find(name, []string{configProviderDir(cfg.Dir)}); inConfig == nil {
			return skipped(fmt.Sprintf("it is installed only in %s, which comes with the configuration; tend validate runs providers from $%s or next to tend only",
				configProviderDir(cfg.Dir), loader.EnvPluginDir))
		}
		return skipped(fmt.Sprintf("it is not installed (%v)", err))
	}
	if err != nil {
		return skipped(err.Error())
	}
	ctx, cancel := context.WithTimeout(ctx, ValidateTimeout)
	defer cancel()
	p, err := loader.Launch(loader.Options{Name: name, Path: path, Checksum: lock.Hash, Logger: log})
	if err != nil {
		return skipped(err.Error())
	}
	defer p.Close()
	settings, err := providerConfig(cfg, name)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid provider configuration", Detail: err.Error(), Subject: at}}
	}
	found, supported, err := p.ValidateConfig(ctx, settings, pins)
	if err != nil {
		return skipped(err.Error())
	}
	if !supported {
		return nil
	}
	var diags hcl.Diagnostics
	for _, d := range found {
		diags = append(diags, toHCL(name, d, at, where))
	}
	return diags
}

// providerPins lists the pins of every policy that uses the provider, with
// ids that map back to the pins as configured (and so to where each is
// written).
func providerPins(cfg *config.Config, name string) ([]sdk.Pin, map[string]*config.Pin) {
	var pins []sdk.Pin
	where := map[string]*config.Pin{}
	for _, pname := range slices.Sorted(maps.Keys(cfg.Policies)) {
		pol := cfg.Policies[pname]
		if pol.Provider != name {
			continue
		}
		for _, pin := range pol.Pin {
			id := fmt.Sprintf("policy.%s.pin[%q]", pname, pin.Package)
			pins = append(pins, sdk.Pin{ID: id, Package: pin.Package, Version: pin.Version})
			where[id] = pin
		}
	}
	return pins, where
}

// toHCL places a provider's diagnostic: at the pin's package or version
// when it names a pin, else at the provider block.
func toHCL(name string, d sdk.Diagnostic, at *hcl.Range, where map[string]*config.Pin) *hcl.Diagnostic {
	sev := hcl.DiagError
	if d.Severity == sdk.SeverityWarning {
		sev = hcl.DiagWarning
	}
	out := &hcl.Diagnostic{Severity: sev, Summary: d.Summary, Detail: fmt.Sprintf("provider %q: %s", name, d.Detail), Subject: at}
	if pin, ok := where[d.PinID]; ok {
		r := pin.VersionRange
		if d.AboutPackage {
			r = pin.PackageRange
		}
		out.Subject = &r
	}
	return out
}

// providerRange is where a provider is configured: its provider block, or
// else the provider attribute of the first policy that uses it.
func providerRange(cfg *config.Config, name string) *hcl.Range {
	if b, ok := cfg.Providers[name]; ok {
		r := b.DeclRange
		return &r
	}
	var first *config.Policy
	for _, p := range cfg.Policies {
		if p.Provider == name && (first == nil || p.Name < first.Name) {
			first = p
		}
	}
	if first == nil {
		return nil
	}
	r := first.ProviderRange
	return &r
}

// configProviderDir is CONFIG/.tend/providers.
func configProviderDir(dir string) string { return filepath.Join(dir, ".tend", "providers") }

// trustedDirs are the provider search directories without the one inside
// the configuration.
func trustedDirs(dir string) []string {
	own := filepath.Clean(configProviderDir(dir))
	var out []string
	for _, d := range loader.SearchDirs(dir) {
		if filepath.Clean(d) != own {
			out = append(out, d)
		}
	}
	return out
}

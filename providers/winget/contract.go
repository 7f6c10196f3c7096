package winget

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/tend-sh/tend/providers/internal/winscript"
)

// The documents of DESIGN.md section 5 ("winget scan", "winget apply"),
// field for field.

// scanDoc is what scripts/scan.ps1 prints.
type scanDoc struct {
	Packages *[]packageDoc `json:"packages"`
}

// packageDoc is one installed package, after the module's
// PSInstalledCatalogPackage.
type packageDoc struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	InstalledVersion  string   `json:"installed_version"`
	AvailableVersions []string `json:"available_versions"` // newest first
	Source            string   `json:"source"`             // "winget", "msstore", … or "" (no source)
	IsUpdateAvailable bool     `json:"is_update_available"`
}

// applyParams is what scripts/apply.ps1 reads.
type applyParams struct {
	Upgrade          []upgradeParam `json:"upgrade"`
	AcceptAgreements bool           `json:"accept_agreements"`
}

type upgradeParam struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// applyDoc is what scripts/apply.ps1 prints.
type applyDoc struct {
	Results *[]resultDoc `json:"results"`
}

// resultDoc is one upgrade's result, after the module's PSInstallResult.
type resultDoc struct {
	ID     string `json:"id"`
	Status string `json:"status"` // InstallResultStatus: "Ok", "InstallError", …
	// InstallerErrorCode is the installer's own exit code (an MSI 1603).
	InstallerErrorCode uint32 `json:"installer_error_code"`
	// ExtendedErrorCode is the HRESULT of the failure.
	ExtendedErrorCode winscript.HResult `json:"extended_error_code"`
	RebootRequired    bool              `json:"reboot_required"`
}

// The scan's document must hold a packages list whose entries have an id
// and an installed version.
func (d scanDoc) check() error {
	if d.Packages == nil {
		return errors.New(`winget/scan.ps1: the document has no "packages" list`)
	}
	for i, p := range *d.Packages {
		if p.ID == "" || p.InstalledVersion == "" {
			return fmt.Errorf("winget/scan.ps1: packages[%d] (%q) has no id or no installed_version", i, p.ID)
		}
	}
	return nil
}

// idPattern is a winget package identifier as the winget-pkgs manifest
// schema (1.6.0, PackageIdentifier) defines it: two to eight
// dot-separated parts of up to 32 characters, without blanks, control
// characters or \/:*?"<>|.
var idPattern = regexp.MustCompile(`^[^.\s\\/:*?"<>|\x00-\x1f]{1,32}(\.[^.\s\\/:*?"<>|\x00-\x1f]{1,32}){1,7}$`)

// versionPattern is a winget package version as that schema's
// PackageVersion defines it: up to 128 characters without \/:*?"<>| or
// control characters.
var versionPattern = regexp.MustCompile(`^[^\\/:*?"<>|\x00-\x1f]{1,128}$`)

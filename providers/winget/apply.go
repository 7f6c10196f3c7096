package winget

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/internal/winscript"
)

// ApplyTimeout bounds one apply: every upgrade downloads and runs an
// installer, one after the other.
const ApplyTimeout = 2 * time.Hour

// Apply upgrades the packages of actions to their planned versions with
// one run of scripts/apply.ps1 and returns one result per action, in
// order. Actions it cannot carry out (not an upgrade, an id or version
// that is not winget's) fail without reaching the script; without
// accept_agreements nothing runs at all.
func Apply(ctx context.Context, r sdk.Runner, cfg Config, actions []sdk.Action, progress sdk.ProgressFunc) ([]sdk.ActionResult, error) {
	results := make([]sdk.ActionResult, len(actions))
	params := applyParams{Upgrade: []upgradeParam{}, AcceptAgreements: cfg.AcceptAgreements}
	byID := map[string]int{} // package id → index of its action
	for i, a := range actions {
		results[i].ActionID = a.ID
		if msg := refuse(a, cfg, byID); msg != "" {
			results[i].Status, results[i].Message = sdk.StatusFailed, msg
			continue
		}
		byID[a.Package] = i
		params.Upgrade = append(params.Upgrade, upgradeParam{ID: a.Package, Version: a.To})
		progress(sdk.Progress{ActionID: a.ID, Message: fmt.Sprintf("upgrading %s %s → %s with Update-WinGetPackage (accepting its package agreements: accept_agreements = true)", a.Package, a.From, a.To)})
	}
	if len(params.Upgrade) == 0 {
		return results, nil
	}
	var doc applyDoc
	err := winscript.Run(ctx, r, ApplyScript, params, ApplyTimeout, &doc)
	if err == nil && doc.Results == nil {
		err = fmt.Errorf(`winget/apply.ps1: the document has no "results" list`)
	}
	if err != nil {
		// The script did not report: what it did is unknown until the next
		// scan, so every action it was given is failed with the cause.
		for _, i := range byID {
			results[i].Status, results[i].Message = sdk.StatusFailed, err.Error()
		}
		return results, nil
	}
	for _, res := range *doc.Results {
		i, ok := byID[res.ID]
		if !ok {
			continue
		}
		delete(byID, res.ID)
		results[i].Status, results[i].Message = outcome(res)
	}
	for _, i := range byID {
		results[i].Status, results[i].Message = sdk.StatusFailed, "winget/apply.ps1 reported no result for this package"
	}
	return results, nil
}

// refuse says why action a cannot be applied, or "".
func refuse(a sdk.Action, cfg Config, planned map[string]int) string {
	switch {
	case a.Type != sdk.ActionUpgrade:
		return fmt.Sprintf("the winget provider applies upgrades only, not %s (Update-WinGetPackage cannot downgrade, and tend does not install or remove applications)", a.Type)
	case !idPattern.MatchString(a.Package):
		return fmt.Sprintf("%q is not a winget package id", a.Package)
	case !versionPattern.MatchString(a.To):
		return fmt.Sprintf("%q is not a winget package version", a.To)
	case !cfg.AcceptAgreements:
		return "not upgraded: Update-WinGetPackage accepts the package's agreements (license terms) itself, so tend upgrades winget packages only with accept_agreements = true in the provider block"
	}
	if _, dup := planned[a.Package]; dup {
		return fmt.Sprintf("%s is planned twice in one apply", a.Package)
	}
	return ""
}

// outcome maps one upgrade's result to an action status and message:
// "Ok" succeeded; every other status failed, with the installer's and
// winget's error codes.
func outcome(r resultDoc) (sdk.Status, string) {
	if r.Status == "Ok" {
		if r.RebootRequired {
			return sdk.StatusSucceeded, "upgraded; the installer asks for a reboot"
		}
		return sdk.StatusSucceeded, ""
	}
	var b strings.Builder
	b.WriteString(r.Status)
	if hint := statusHints[r.Status]; hint != "" {
		b.WriteString(" (" + hint + ")")
	}
	if r.InstallerErrorCode != 0 {
		fmt.Fprintf(&b, "; installer error code 0x%08X (%d)", r.InstallerErrorCode, r.InstallerErrorCode)
	}
	if r.ExtendedErrorCode != 0 {
		fmt.Fprintf(&b, "; extended error code %s", r.ExtendedErrorCode.Describe(HResultNames))
	}
	if r.RebootRequired {
		b.WriteString("; the installer asks for a reboot")
	}
	return sdk.StatusFailed, b.String()
}

// statusHints explain the InstallResultStatus values
// (Microsoft.Management.Deployment's PackageManager.idl) that need a
// person.
var statusHints = map[string]string{
	"BlockedByPolicy":              "a group policy forbids it",
	"NoApplicableInstallers":       "no installer of this version fits this machine",
	"NoApplicableUpgrade":          "winget will not upgrade to this version: pinned in winget, a different installer type, or not newer",
	"PackageAgreementsNotAccepted": "set accept_agreements = true in the provider block",
	"DownloadError":                "the installer could not be downloaded",
	"InstallError":                 "the installer failed",
}

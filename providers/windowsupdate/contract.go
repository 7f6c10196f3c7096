package windowsupdate

import "github.com/tend-sh/tend/providers/internal/winscript"

// ScanParams are the scan script's parameters: where to search
// (IUpdateSearcher.ServerSelection and ServiceID).
type ScanParams struct {
	ServerSelection int    `json:"server_selection"`
	ServiceID       string `json:"service_id"`
}

// ScanDocument is what the scan script prints: every update that is not
// hidden, installed or not, and whether a reboot is pending.
type ScanDocument struct {
	RebootPending bool         `json:"reboot_pending"`
	Updates       []ScanUpdate `json:"updates"`
}

// ScanUpdate is one IUpdate, in the names of its WUA properties.
type ScanUpdate struct {
	UpdateID       string   `json:"update_id"`
	Revision       int      `json:"revision"`
	Title          string   `json:"title"`
	KB             []string `json:"kb"`
	Categories     []string `json:"categories"`
	MsrcSeverity   string   `json:"msrc_severity"`
	CVEs           []string `json:"cves"`
	Released       string   `json:"released"`
	RebootBehavior string   `json:"reboot_behavior"`
	IsDownloaded   bool     `json:"is_downloaded"`
	EulaAccepted   bool     `json:"eula_accepted"`
	IsInstalled    bool     `json:"is_installed"`
}

// ApplyParams are the apply script's parameters: the update ids to
// download and install, whether license terms may be accepted, and where
// to search.
type ApplyParams struct {
	Install    []string `json:"install"`
	AcceptEula bool     `json:"accept_eula"`
	ScanParams
}

// ApplyDocument is what the apply script prints.
type ApplyDocument struct {
	Results       []ApplyResult `json:"results"`
	RebootPending bool          `json:"reboot_pending"`
}

// ApplyResult is one update's IUpdateInstallationResult (or download
// result, when it did not download): its OperationResultCode and HRESULT.
type ApplyResult struct {
	UpdateID       string            `json:"update_id"`
	ResultCode     int               `json:"result_code"`
	HResult        winscript.HResult `json:"hresult"`
	RebootRequired bool              `json:"reboot_required"`
}

// OperationResultCode values (wuapi.h).
const (
	ResultNotStarted         = 0
	ResultInProgress         = 1
	ResultSucceeded          = 2
	ResultSucceededWithError = 3
	ResultFailed             = 4
	ResultAborted            = 5
)

// Reboot behaviours (InstallationBehavior.RebootBehavior) as the scan
// script names them.
const (
	NeverReboots         = "NeverReboots"
	AlwaysRequiresReboot = "AlwaysRequiresReboot"
	CanRequestReboot     = "CanRequestReboot"
)

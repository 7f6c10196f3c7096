package windowsupdate

import (
	_ "embed"

	"github.com/tend-sh/tend/providers/internal/winscript"
)

var (
	//go:embed scripts/scan.ps1
	scanSource string
	//go:embed scripts/apply.ps1
	applySource string
)

// ScanScript and ApplyScript are the embedded scripts, as tend runs them
// (winscript.Script.Text gives the text; cmd/tend-winhost checks against
// it).
var (
	ScanScript  = winscript.Script{Name: "windowsupdate/scan.ps1", Source: scanSource, Names: HResultNames}
	ApplyScript = winscript.Script{Name: "windowsupdate/apply.ps1", Source: applySource, Names: HResultNames}
)

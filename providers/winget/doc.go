// Package winget is tend's winget provider: it scans and upgrades the
// applications winget manages on a Windows host (Chrome, Firefox, 7-Zip,
// Zoom, Adobe Reader, …) through the Microsoft.WinGet.Client PowerShell
// module, with one embedded script per call (scripts/scan.ps1,
// scripts/apply.ps1) run by providers/internal/winscript as DESIGN.md
// section 5 ("Windows providers: the script contract") prescribes.
//
// A package's id in plans and policies is its winget id (Google.Chrome);
// its versions order as winget orders them (version scheme "winget").
// What winget will not upgrade by itself (a winget pin, an installer of a
// different type, no installer for this machine, an unknown installed
// version) and Microsoft Store apps, whose versions the Store chooses, are
// scan warnings, never planned updates.
package winget

// Package winscript runs the Windows providers' embedded PowerShell
// scripts the way DESIGN.md section 5 ("Windows providers: the script
// contract") prescribes: the script, behind a small shared prelude, goes
// to the target as `powershell.exe -NoProfile -NonInteractive
// -ExecutionPolicy Bypass -EncodedCommand <base64 of UTF-16LE>`, its
// parameters as one JSON object on stdin, and exactly one JSON object comes
// back on stdout. Run turns everything else (a timeout, a non-zero exit, a
// COM error the script reports, output that is not one JSON object) into an
// error that says what happened, quoting a bounded excerpt of the output.
//
// The prelude (prelude.ps1) stops on the first error, writes UTF-8, reads
// the parameters into $TendParams and gives the script Write-TendResult for
// its one document; a terminating error becomes the document
// {"error": {"message", "type", "hresult", "line"}} and exit code 1.
package winscript

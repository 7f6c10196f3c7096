# tend's prelude to every Windows provider script (providers/internal/winscript).
# It stops on the first error, writes UTF-8 without a BOM, reads the
# parameters (one JSON object on stdin) into $TendParams, and turns a
# terminating error into the document {"error": {...}} with exit code 1.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
function Write-TendResult($Document) {
    [Console]::Out.Write((ConvertTo-Json -InputObject $Document -Depth 8 -Compress))
}
trap {
    $e = $_.Exception
    while ($e.InnerException -and $e -is [System.Management.Automation.MethodInvocationException]) { $e = $e.InnerException }
    Write-TendResult @{ error = @{ message = $e.Message; type = $e.GetType().FullName; hresult = $e.HResult; line = $_.InvocationInfo.ScriptLineNumber } }
    [Console]::Error.WriteLine($_.ToString())
    exit 1
}
$TendParams = [Console]::In.ReadToEnd() | ConvertFrom-Json

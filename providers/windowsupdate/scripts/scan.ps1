# tend's Windows Update scan (providers/windowsupdate): every update the
# Windows Update Agent knows that is not hidden, installed or not, in the
# form of the script contract (DESIGN.md section 5, docs/providers/windows.md).
# Runs after winscript's prelude, which reads the parameters into $TendParams:
#   {"server_selection": 0-3, "service_id": "<guid>" or ""}
# and prints:
#   {"reboot_pending": bool, "updates": [{"update_id", "revision", "title",
#    "kb", "categories", "msrc_severity", "cves", "released",
#    "reboot_behavior", "is_downloaded", "eula_accepted", "is_installed"}]}
$session = New-Object -ComObject Microsoft.Update.Session
$session.ClientApplicationID = 'tend'
# English titles and category names: the classification is read from them.
$session.UserLocale = 1033
$searcher = $session.CreateUpdateSearcher()
$searcher.ServerSelection = [int]$TendParams.server_selection
if ($TendParams.service_id) {
    $searcher.ServiceID = [string]$TendParams.service_id
}
$found = $searcher.Search('IsHidden=0')
# OperationResultCode: 2 succeeded, 3 succeeded with errors, 4 failed, 5 aborted.
if ($found.ResultCode -ge 4) {
    throw (New-Object System.Runtime.InteropServices.COMException ("the update search ended with result code $($found.ResultCode)", -2145124318))
}
$behaviors = @('NeverReboots', 'AlwaysRequiresReboot', 'CanRequestReboot')
$invariant = [System.Globalization.CultureInfo]::InvariantCulture
$updates = New-Object System.Collections.ArrayList
foreach ($u in $found.Updates) {
    $released = ''
    if ($u.LastDeploymentChangeTime) {
        $released = $u.LastDeploymentChangeTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $invariant)
    }
    [void]$updates.Add([ordered]@{
        update_id = [string]$u.Identity.UpdateID
        revision = [int]$u.Identity.RevisionNumber
        title = [string]$u.Title
        kb = @($u.KBArticleIDs | ForEach-Object { 'KB' + $_ })
        categories = @($u.Categories | ForEach-Object { [string]$_.Name })
        msrc_severity = [string]$u.MsrcSeverity
        cves = @($u.CveIDs | ForEach-Object { [string]$_ })
        released = $released
        reboot_behavior = $behaviors[[int]$u.InstallationBehavior.RebootBehavior]
        is_downloaded = [bool]$u.IsDownloaded
        eula_accepted = [bool]$u.EulaAccepted
        is_installed = [bool]$u.IsInstalled
    })
}
$systemInfo = New-Object -ComObject Microsoft.Update.SystemInfo
Write-TendResult ([ordered]@{ reboot_pending = [bool]$systemInfo.RebootRequired; updates = $updates })

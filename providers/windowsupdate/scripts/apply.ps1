# tend's Windows Update apply (providers/windowsupdate): downloads, then
# installs, exactly the updates named, in the form of the script contract
# (DESIGN.md section 5, docs/providers/windows.md). Runs after winscript's
# prelude, which reads the parameters into $TendParams:
#   {"install": ["<update_id>", ...], "accept_eula": bool,
#    "server_selection": 0-3, "service_id": "<guid>" or ""}
# and prints:
#   {"results": [{"update_id", "result_code", "hresult", "reboot_required"}],
#    "reboot_pending": bool}
# An update named but not found (installed or withdrawn since the scan) is
# result_code 4 with WU_E_NOT_APPLICABLE; one whose license terms are not
# accepted, without accept_eula, is result_code 4 with WU_E_EULAS_DECLINED.
$session = New-Object -ComObject Microsoft.Update.Session
$session.ClientApplicationID = 'tend'
$searcher = $session.CreateUpdateSearcher()
$searcher.ServerSelection = [int]$TendParams.server_selection
if ($TendParams.service_id) {
    $searcher.ServiceID = [string]$TendParams.service_id
}
$wanted = @{}
foreach ($id in @($TendParams.install)) {
    $wanted[[string]$id] = $true
}
$results = New-Object System.Collections.ArrayList
function Add-Result($Id, $Code, $HResult, $Reboot) {
    [void]$results.Add([ordered]@{ update_id = $Id; result_code = [int]$Code; hresult = [int]$HResult; reboot_required = [bool]$Reboot })
}
$found = $searcher.Search('IsHidden=0 and IsInstalled=0')
$selected = New-Object -ComObject Microsoft.Update.UpdateColl
foreach ($u in $found.Updates) {
    $id = [string]$u.Identity.UpdateID
    if (-not $wanted.ContainsKey($id)) {
        continue
    }
    $wanted.Remove($id)
    if (-not $u.EulaAccepted) {
        if (-not $TendParams.accept_eula) {
            Add-Result $id 4 -2145124317 $false
            continue
        }
        $u.AcceptEula()
        [Console]::Error.WriteLine("accepted the license terms of $id ($($u.Title))")
    }
    [void]$selected.Add($u)
}
foreach ($id in @($wanted.Keys)) {
    Add-Result $id 4 -2145124329 $false
}
if ($selected.Count -gt 0) {
    $downloader = $session.CreateUpdateDownloader()
    $downloader.Updates = $selected
    $download = $downloader.Download()
    $installable = New-Object -ComObject Microsoft.Update.UpdateColl
    for ($i = 0; $i -lt $selected.Count; $i++) {
        $u = $selected.Item($i)
        $r = $download.GetUpdateResult($i)
        if ($u.IsDownloaded) {
            [void]$installable.Add($u)
        } else {
            Add-Result ([string]$u.Identity.UpdateID) $r.ResultCode $r.HResult $false
        }
    }
    if ($installable.Count -gt 0) {
        $installer = $session.CreateUpdateInstaller()
        $installer.Updates = $installable
        $install = $installer.Install()
        for ($i = 0; $i -lt $installable.Count; $i++) {
            $r = $install.GetUpdateResult($i)
            Add-Result ([string]$installable.Item($i).Identity.UpdateID) $r.ResultCode $r.HResult $r.RebootRequired
        }
    }
}
$systemInfo = New-Object -ComObject Microsoft.Update.SystemInfo
Write-TendResult ([ordered]@{ results = $results; reboot_pending = [bool]$systemInfo.RebootRequired })

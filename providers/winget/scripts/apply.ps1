# tend's winget apply (providers/winget): upgrades exactly the packages
# and versions it is given with Update-WinGetPackage, silently, one after
# the other, and reports each result (DESIGN.md section 5, "winget
# apply"). Parameters: {"upgrade": [{"id", "version"}], "accept_agreements"}.
# Update-WinGetPackage accepts a package's agreements itself (the
# module's install options default to accepting them), so nothing is
# upgraded unless accept_agreements is true.
Import-Module Microsoft.WinGet.Client
$results = @(foreach ($u in @($TendParams.upgrade)) {
    if (-not $TendParams.accept_agreements) {
        [ordered]@{ id = [string]$u.id; status = 'PackageAgreementsNotAccepted'; installer_error_code = 0; extended_error_code = 0; reboot_required = $false }
        continue
    }
    try {
        $r = Update-WinGetPackage -Id $u.id -Version $u.version -MatchOption Equals -Mode Silent
        $extended = 0
        if ($r.ExtendedErrorCode) { $extended = $r.ExtendedErrorCode.HResult }
        [ordered]@{
            id                   = [string]$u.id
            status               = [string]$r.Status
            installer_error_code = [int64]$r.InstallerErrorCode
            extended_error_code  = [int64]$extended
            reboot_required      = [bool]$r.RebootRequired
        }
    } catch {
        [Console]::Error.WriteLine("$($u.id): $($_.Exception.Message)")
        [ordered]@{ id = [string]$u.id; status = 'Error: ' + $_.Exception.Message; installer_error_code = 0; extended_error_code = [int64]$_.Exception.HResult; reboot_required = $false }
    }
})
Write-TendResult @{ results = $results }

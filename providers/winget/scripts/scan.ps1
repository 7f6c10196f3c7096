# tend's winget scan (providers/winget): every package winget sees as
# installed, from the Microsoft.WinGet.Client module, as the document of
# DESIGN.md section 5 ("winget scan"). Parameters: none ({}).
Import-Module Microsoft.WinGet.Client
$packages = @(Get-WinGetPackage | ForEach-Object {
    $source = ''
    if ($_.Source) { $source = [string]$_.Source }
    [ordered]@{
        id                  = [string]$_.Id
        name                = [string]$_.Name
        installed_version   = [string]$_.InstalledVersion
        available_versions  = @($_.AvailableVersions | ForEach-Object { [string]$_ })
        source              = $source
        is_update_available = [bool]$_.IsUpdateAvailable
    }
})
Write-TendResult @{ packages = $packages }

# Build the Windows installer of MySSL Desktop into dist\:
#   dist\myssl-desktop\                      the PyInstaller one-folder bundle
#                                            (myssl-desktop.exe windowed, myssl-keys.exe console)
#   dist\MySSL-Desktop-<version>-setup.exe   Inno Setup, per user, no administrator rights
#
# Needs: Python 3.11 with the project and PyInstaller installed (pip install -e ".[test]"),
# Inno Setup 6 (ISCC.exe on PATH or in its default folder; choco install innosetup).
#
# Signing is optional and driven by the environment; when SIGN_CERT_PATH is set, both
# executables, Setup.exe and the uninstaller are signed with signtool (Windows SDK):
#   SIGN_CERT_PATH      a .pfx code-signing certificate
#   SIGN_CERT_PASSWORD  its password
#   SIGN_TIMESTAMP_URL  an RFC 3161 timestamp server (default: http://timestamp.digicert.com)
#
#   pwsh -File packaging\windows\build.ps1 [-Python python]
#Requires -Version 7.2
param(
    [string]$Python = "python"
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest
Set-Location (Join-Path $PSScriptRoot "..\..")

function Invoke-Checked([string]$What, [scriptblock]$Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "build.ps1: $What failed (exit code $LASTEXITCODE)" }
}

$version = & $Python -c @"
import ast
tree = ast.parse(open('myssl_desktop/__init__.py', encoding='utf-8').read())
print(next(n.value.value for n in tree.body if isinstance(n, ast.Assign)
           and any(getattr(t, 'id', None) == '__version__' for t in n.targets)))
"@
if ($LASTEXITCODE -ne 0 -or -not $version) { throw "build.ps1: cannot read myssl_desktop.__version__" }
$version = ($version | Select-Object -Last 1).Trim()  # only the last line, should anything else print
# VERSIONINFO wants numbers: 1.2.0rc1 -> 1.2.0.0
$release = ([regex]::Match($version, '^\d+(\.\d+)*')).Value.Split('.') + @('0', '0', '0', '0')
$numericVersion = ($release[0..3]) -join '.'
Write-Host "build.ps1: MySSL Desktop $version ($numericVersion)"

& $Python -c "import PyInstaller" 2>$null
if ($LASTEXITCODE -ne 0) { throw "build.ps1: PyInstaller is not installed for $Python (pip install -e .[test])" }

# 1. The bundle
Invoke-Checked "PyInstaller" {
    & $Python -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller `
        packaging\pyinstaller\myssl-desktop.spec
}
$bundle = "dist\myssl-desktop"
foreach ($exe in "myssl-desktop.exe", "myssl-keys.exe") {
    if (-not (Test-Path (Join-Path $bundle $exe))) { throw "build.ps1: PyInstaller did not produce $bundle\$exe" }
}

# 2. Signing (optional)
$sign = [bool]$env:SIGN_CERT_PATH
$signArgs = @()
$signtool = $null
if ($sign) {
    if (-not (Test-Path $env:SIGN_CERT_PATH)) { throw "build.ps1: SIGN_CERT_PATH does not exist: $env:SIGN_CERT_PATH" }
    # (Get-Command x).Source would throw under StrictMode when x is not on PATH
    $signtool = Get-Command signtool.exe -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source
    if (-not $signtool) {
        $signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" -ErrorAction SilentlyContinue |
            Sort-Object FullName -Descending | Select-Object -First 1 -ExpandProperty FullName
    }
    if (-not $signtool) { throw "build.ps1: signtool.exe not found (install the Windows SDK)" }
    $timestamp = if ($env:SIGN_TIMESTAMP_URL) { $env:SIGN_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }
    $signArgs = @("sign", "/f", $env:SIGN_CERT_PATH, "/fd", "sha256", "/tr", $timestamp, "/td", "sha256")
    if ($env:SIGN_CERT_PASSWORD) { $signArgs += @("/p", $env:SIGN_CERT_PASSWORD) }
    Invoke-Checked "signing the executables" {
        & $signtool @signArgs (Join-Path $bundle "myssl-desktop.exe") (Join-Path $bundle "myssl-keys.exe")
    }
} else {
    Write-Host "build.ps1: SIGN_CERT_PATH is not set, so nothing is signed (SmartScreen will warn users)"
}

# 3. The installer
$iscc = Get-Command iscc.exe -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source
if (-not $iscc) {
    foreach ($candidate in "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
                           "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe") {
        if (Test-Path $candidate) { $iscc = $candidate; break }
    }
}
if (-not $iscc) { throw "build.ps1: ISCC.exe (Inno Setup 6) not found: choco install innosetup" }
$isccArgs = @("/Q", "/DAppVersion=$version", "/DAppNumericVersion=$numericVersion",
              "/DSourceDir=$((Resolve-Path $bundle).Path)", "/DOutputDir=$((Resolve-Path dist).Path)")
if ($sign) {
    # Inno runs this for Setup.exe and the uninstaller: $f is the (quoted) file it signs and
    # $q a double quote, which keeps PowerShell's own quoting of native arguments out of it.
    # Inno expands $-sequences, so a $ in a value (a password) is written $$.
    $quoted = ($signArgs | ForEach-Object {
        if ($_.Contains('"')) { throw "build.ps1: a signing value contains a double quote, which ISCC cannot pass on" }
        $value = $_.Replace('$', '$$')
        if ($value -match '\s') { "`$q$value`$q" } else { $value }
    }) -join ' '
    $isccArgs += @("/DSign", "/Ssigntool=`$q$signtool`$q $quoted `$f")
}
Invoke-Checked "ISCC" { & $iscc @isccArgs packaging\windows\myssl-desktop.iss }

$setup = "dist\MySSL-Desktop-$version-setup.exe"
if (-not (Test-Path $setup)) { throw "build.ps1: ISCC did not produce $setup" }
Write-Host ("build.ps1: {0}  {1:N1} MB" -f $setup, ((Get-Item $setup).Length / 1MB))

; Inno Setup 6 script for MySSL Desktop: a per-user installer (no administrator rights).
;
; Built by packaging/windows/build.ps1, which passes the version and, when signing:
;   ISCC /DAppVersion=0.1.0 [/DAppNumericVersion=0.1.0.0] [/DSign "/Ssigntool=..."] myssl-desktop.iss
;
; Upgrades: the AppId below never changes, so a newer installer finds the previous
; installation, installs into the same folder and replaces its files. The user's data is
; not in the install folder, so it survives upgrades and uninstalls:
;   settings, cache, log  %LOCALAPPDATA%\myssl-desktop\ (platformdirs, appauthor=False)
;   keys                  Windows Credential Manager, service "myssl-desktop"
; The uninstaller removes only what the installer put in {app}.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=<myssl_desktop.__version__> myssl-desktop.iss
#endif
#ifndef AppNumericVersion
  ; VERSIONINFO needs numbers only (a.b.c.d); build.ps1 passes them for versions like 1.2.0rc1.
  #define AppNumericVersion AppVersion
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\myssl-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#define AppName "MySSL Desktop"
#define AppExe "myssl-desktop.exe"

[Setup]
; Stable forever: upgrades and the uninstall entry are keyed on it. ({{ escapes the brace.)
AppId={{6F0B7C1E-4D2A-4B8E-9A55-3C1D7E2F8A90}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=MySSL
AppPublisherURL=https://myssl.info
AppSupportURL=https://myssl.info
AppCopyright=MySSL
; Version resource of Setup.exe (file properties), from the same version.
VersionInfoVersion={#AppNumericVersion}
VersionInfoProductVersion={#AppNumericVersion}
VersionInfoProductTextVersion={#AppVersion}
VersionInfoTextVersion={#AppVersion}
VersionInfoCompany=MySSL
VersionInfoDescription={#AppName} Setup
VersionInfoProductName={#AppName}
; Per user, no UAC prompt.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
UsePreviousAppDir=yes
DisableDirPage=auto
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile=..\..\resources\app-icon.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
; A running copy is closed (Restart Manager) before its files are replaced.
CloseApplications=yes
RestartApplications=no
ChangesEnvironment=yes
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
OutputDir={#OutputDir}
OutputBaseFilename=MySSL-Desktop-{#AppVersion}-setup
#ifdef Sign
; build.ps1 defines the "signtool" command with /Ssigntool=...; Inno signs Setup.exe and
; the uninstaller with it.
SignTool=signtool
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add myssl-keys (the command line) to PATH for this user"; Flags: unchecked

[InstallDelete]
; The previous version's bundle goes first, so no stale DLL of an older Qt or Python
; lingers next to the new ones. ({app} holds nothing but the bundle.)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{code:PathWithApp}"; \
  Tasks: addtopath; Check: NotOnPath(ExpandConstant('{app}'))
; Start at login is the app's to turn on (Reminders settings); the uninstaller removes it.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; \
  ValueName: "MySSL Desktop"; Flags: uninsdeletevalue dontcreatekey

[UninstallRun]
; `myssl-keys schedule install` makes this task (myssl_desktop/reminders/timer.py); leave none behind.
Filename: "{sys}\schtasks.exe"; Parameters: "/Delete /TN ""MySSL Desktop check"" /F"; Flags: runhidden; \
  RunOnceId: "RemoveCheckTask"

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
function PathEntries(): String;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Result) then
    Result := '';
end;

function NotOnPath(Dir: String): Boolean;
begin
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(PathEntries()) + ';') = 0;
end;

// The user's Path with the install folder appended: just the folder when there was no Path
// (not ";folder"), and ending in ";" if the old one did, so that the uninstaller's removal
// of ";folder" gives back the old value exactly.
function PathWithApp(Param: String): String;
begin
  Result := PathEntries();
  if Result = '' then
    Result := ExpandConstant('{app}')
  else if Result[Length(Result)] = ';' then
    Result := Result + ExpandConstant('{app}') + ';'
  else
    Result := Result + ';' + ExpandConstant('{app}');
end;

// Uninstall: take the install folder out of the user's PATH again (settings and keys stay);
// a Path that held only the folder is removed, as it did not exist before.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Path, Dir: String;
  At: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  Path := ';' + PathEntries() + ';';
  Dir := ';' + ExpandConstant('{app}') + ';';
  At := Pos(Uppercase(Dir), Uppercase(Path));
  if At = 0 then
    exit;
  Delete(Path, At, Length(Dir) - 1);
  Path := Copy(Path, 2, Length(Path) - 2);
  if Path = '' then
    RegDeleteValue(HKEY_CURRENT_USER, 'Environment', 'Path')
  else
    RegWriteExpandStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path);
end;

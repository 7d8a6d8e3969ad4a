; Inno Setup 6 script: per-user installer for Fanpin Desktop (no administrator rights needed).
; Build the PyInstaller folder first (see README), then compile on Windows:
;   iscc installer\fanpin.iss
; The uninstaller removes only the program folder; the data directory
; (%LOCALAPPDATA%\FanpinDesktop: database, backups, logs) is never touched.

#define AppName "防返贫监测帮扶工作站"
#define AppExe "FanpinDesktop.exe"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C1E4F0B-9A1D-4E55-9B8E-FA2B7D0E5A31}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Fanpin Desktop
DefaultDirName={localappdata}\Programs\FanpinDesktop
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\dist\installer
OutputBaseFilename=FanpinDesktop-Setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\{#AppExe}
DisableProgramGroupPage=yes

[Languages]
; ChineseSimplified.isl ships with Inno Setup 6.4 and later.
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "创建桌面快捷方式"; GroupDescription: "附加任务:"

[Files]
Source: "..\dist\FanpinDesktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{#AppName}（演示乡镇）"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"
Name: "{group}\卸载 {#AppName}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "启动 {#AppName}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only files the program itself writes inside {app}; the data directory lives elsewhere and is kept.
Type: filesandordirs; Name: "{app}\__pycache__"

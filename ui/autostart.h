#pragma once
// Autostart: "Start at login" for the desktop app (issue 13).
//
//   Linux (XDG autostart): $XDG_CONFIG_HOME/autostart/<appId>.desktop
//     ($XDG_CONFIG_HOME unset or relative: ~/.config), an Application entry
//     whose Exec runs `<executable> --minimized` (tray only, no window).
//   macOS: ~/Library/LaunchAgents/<appId>.plist, a LaunchAgent with
//     ProgramArguments [<executable>, --minimized] and RunAtLoad.
// isEnabled() is "the file exists". setEnabled(true) writes it atomically
// (QSaveFile), setEnabled(false) removes it; both are idempotent and leave
// every other file alone. Only Qt Core: testable without a display.
// Thread affinity: any (no shared state).
#include <QByteArray>
#include <QString>

namespace paas {

class Autostart {
public:
    // executable: the absolute path the login session should start.
    Autostart(QString appId, QString executable);

    QString filePath() const;
    bool isEnabled() const;
    // False with *error set when the file cannot be written or removed.
    bool setEnabled(bool enabled, QString* error = nullptr);
    // What setEnabled(true) writes.
    QByteArray content() const;

    // The Exec= value of a desktop entry for argv (quoted per the Desktop
    // Entry spec when an argument holds a space or a reserved character).
    static QString desktopExec(const QStringList& argv);

private:
    QString m_appId;
    QString m_executable;
};

}  // namespace paas

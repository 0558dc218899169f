#pragma once
// DesktopModule: what app/ needs from the desktop face of paas, behind an
// interface that names no Widgets, Gui or WebEngine type. Its implementation
// (ui/desktopmodule.cpp) is built as the module `paas_desktop` beside the
// executable and loaded with QLibrary only when a window is wanted, so a
// headless process never maps Qt Widgets, Qt Quick or Chromium (libQt6WebEngineCore
// alone is ~18 MB of RSS once mapped, used or not).
//
// Contract:
//  - createApplication() prepares QtWebEngine's process environment and
//    returns the QApplication; call it first, before any Qt object exists.
//  - activateExisting(): single instance per artifacts root. True when an
//    instance already runs and was asked to show its window (this process
//    should then exit); otherwise this process becomes the instance.
//  - showShell() opens the tray and the event feed on the API, and the
//    window unless ShellOptions::minimized (--minimized: tray only); onQuit
//    runs when the user quits (the owner shuts down, then exits).
//  - closeShell() destroys them; call it before the application object goes.
// Thread affinity: the GUI (main) thread.
#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

namespace paas {

struct ShellOptions {
    QUrl apiUrl;
    QString artifactsRoot;
    QByteArray apiToken;     // empty: the API needs none
    bool minimized = false;  // start to the tray
    QString version;         // for About: git describe and the commit
    QString commit;
};

class DesktopModule {
public:
    virtual ~DesktopModule() = default;
    virtual std::unique_ptr<QCoreApplication> createApplication(int& argc, char** argv) = 0;
    virtual bool activateExisting(const QString& artifactsRoot) = 0;
    virtual void showShell(const ShellOptions& options, std::function<void()> onQuit) = 0;
    virtual void closeShell() = 0;
};

// The module's one exported symbol: `extern "C" DesktopModule* <name>()`,
// a new object the caller owns. The version is in the name (v2: ShellOptions).
inline constexpr const char* kDesktopModuleEntry = "paas_desktop_module_v2";
using DesktopModuleEntry = DesktopModule* (*)();

}  // namespace paas

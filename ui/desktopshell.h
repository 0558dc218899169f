#pragma once
// DesktopShell: the desktop face of paas — MainWindow + TrayIcon + EventFeed.
//
// It only knows the local API URL and the artifacts root; it talks to the
// app over HTTP like any other client (never links the engine or API).
//
// Wiring (all owned here):
//   EventFeed::opEvent     -> TrayIcon::handleOpEvent (state, notifications)
//   TrayIcon open / click  -> showWindow();  recent op -> openOp(id)
//   TrayIcon Quit          -> quitRequested()
//   MainWindow close       -> hides to the tray when a tray exists, otherwise
//                             quitRequested() (the app keeps working without
//                             a tray: closing the window is quitting).
// It turns QGuiApplication::quitOnLastWindowClosed off: the app quits on
// quitRequested() only. Unless the app set them already, it sets the application window icon
// (:/icons/paas.svg) and the desktop file name (PAAS_APP_ID, installer/linux/<id>.desktop).
// show() shows the window and starts the event feed; show(true) (--minimized)
// starts to the tray: the window stays hidden until the tray icon is clicked
// (without a tray host it is shown anyway, or nothing would be visible).
// Start at login, a checkable item in the tray menu and in the window's "paas"
// menu [windowStartAtLogin], writes or removes the Autostart entry
// (ui/autostart.h); both check marks follow the file. About (tray; window
// menu [windowAbout]) opens AboutDialog. quitRequested() is only
// a request: the owner (app/) performs the orderly shutdown and then quits
// the event loop.
//
// Thread affinity: GUI thread only.
#include <QObject>

class QAction;
#include <QString>
#include <QUrl>

#include <memory>

namespace paas {

class AboutDialog;
class Autostart;
class EventFeed;
class RunningApps;
class MainWindow;
class TrayIcon;

class DesktopShell : public QObject {
    Q_OBJECT
public:
    DesktopShell(QUrl apiUrl, QString artifactsRoot, QObject* parent = nullptr);
    ~DesktopShell() override;

    // The API's bearer token (empty: none required), for the window and the feed.
    void setApiToken(const QByteArray& token);
    MainWindow* window() const { return m_window.get(); }
    TrayIcon* tray() const { return m_tray; }
    EventFeed* feed() const { return m_feed; }
    RunningApps* runningApps() const { return m_running; }
    bool hasSystemTray() const;

    // The version and commit for the About dialog.
    void setBuildInfo(const QString& version, const QString& commit);
    Autostart* autostart() const { return m_autostart.get(); }
    AboutDialog* aboutDialog() const { return m_about; }  // null until first opened

    void show(bool minimized = false);

public slots:
    void showWindow();                   // show, un-minimize, raise, focus
    void openOp(const QString& opId);    // showWindow() on <url>/#/ops/<opId>
    void setStartAtLogin(bool enabled);  // writes/removes the entry, updates both menus
    void showAbout();

signals:
    void quitRequested();

private:
    void buildWindowMenu();

    std::unique_ptr<MainWindow> m_window;
    TrayIcon* m_tray = nullptr;
    EventFeed* m_feed = nullptr;
    RunningApps* m_running = nullptr;
    QAction* m_windowStartAtLogin = nullptr;
    std::unique_ptr<Autostart> m_autostart;
    AboutDialog* m_about = nullptr;  // child of the window
    QUrl m_apiUrl;
    QString m_artifactsRoot;
    QString m_version;
    QString m_commit;
};

}  // namespace paas

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
// (:/icons/paas.svg) and the desktop file name ("paas", installer/paas.desktop).
// show() shows the window and starts the event feed. quitRequested() is only
// a request: the owner (app/) performs the orderly shutdown and then quits
// the event loop.
//
// Thread affinity: GUI thread only.
#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

namespace paas {

class EventFeed;
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
    bool hasSystemTray() const;

    void show();

public slots:
    void showWindow();               // show, un-minimize, raise, focus
    void openOp(const QString& opId);  // showWindow() on <url>/#/ops/<opId>

signals:
    void quitRequested();

private:
    std::unique_ptr<MainWindow> m_window;
    TrayIcon* m_tray = nullptr;
    EventFeed* m_feed = nullptr;
};

}  // namespace paas

#pragma once
// MainWindow: the paas desktop window, a QWebEngineView on the local API's UI.
//
// Guarantees:
//   - Shows <apiUrl>/ (the embedded web UI); openOp(id) navigates to
//     <apiUrl>/#/ops/<id>.
//   - Geometry and window state are restored from and saved to QSettings
//     (organization "paas", application "paas", keys mainWindow/geometry and
//     mainWindow/state) — saved whenever the window is closed or hidden to
//     the tray, and on destruction.
//   - Closing: with setCloseToTray(true) the window only hides (the app keeps
//     running in the tray); otherwise the close is accepted and
//     closeRequested() is emitted so the owner can quit the app.
//   - The page (ShellPage) keeps navigation inside the API origin; other
//     links open in the desktop browser.
//   - Web storage (localStorage, cookies, cache) persists in the "paas"
//     QWebEngineProfile under QStandardPaths::AppDataLocation.
//   - A page of the API that cannot be reached (connection error: API not up
//     yet, restarting) is retried every
//     loadRetryIntervalMs() (default 1000 ms), at most kMaxLoadRetries times
//     in a row; a successful load resets the count.
//   - Downloads (e.g. artifact downloads) are accepted into
//     downloadDirectory() (default: the user's Downloads folder) and reported
//     by downloadFinished(path, ok).
//
// Thread affinity: GUI thread only. QtWebEngine must have been prepared
// before QApplication was constructed (see ui/webengineenvironment.h).
#include <QMainWindow>
#include <QTimer>
#include <QUrl>

class QWebEngineDownloadRequest;
class QWebEngineLoadingInfo;
class QWebEngineProfile;
class QWebEngineView;

namespace paas {

class ShellPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    static constexpr int kMaxLoadRetries = 30;

    explicit MainWindow(QUrl apiUrl, QWidget* parent = nullptr);
    ~MainWindow() override;

    QUrl apiUrl() const { return m_apiUrl; }
    QUrl homeUrl() const;
    static QUrl opUrl(const QUrl& apiUrl, const QString& opId);
    QWebEngineView* view() const { return m_view; }
    ShellPage* page() const { return m_page; }

    // When the API requires a bearer token: sent with every request to the
    // API's origin (BearerInterceptor), and the home page is reloaded.
    void setApiToken(const QByteArray& token);
    void setCloseToTray(bool enabled) { m_closeToTray = enabled; }
    bool closeToTray() const { return m_closeToTray; }
    void setDownloadDirectory(const QString& dir) { m_downloadDir = dir; }
    QString downloadDirectory() const { return m_downloadDir; }
    void setLoadRetryIntervalMs(int ms) { m_retryTimer.setInterval(ms); }
    int loadRetryIntervalMs() const { return m_retryTimer.interval(); }
    int failedLoads() const { return m_failedLoads; }

public slots:
    void openHome();
    void openOp(const QString& opId);

signals:
    void loadFinished(bool ok);
    void closeRequested();  // only when not closing to the tray
    void downloadFinished(const QString& path, bool ok);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void restoreWindowState();
    void saveWindowState() const;
    void onDownloadRequested(QWebEngineDownloadRequest* download);
    void onLoadingChanged(const QWebEngineLoadingInfo& info);

    QUrl m_apiUrl;
    QWebEngineProfile* m_profile = nullptr;
    QWebEngineView* m_view = nullptr;
    ShellPage* m_page = nullptr;
    QString m_downloadDir;
    bool m_closeToTray = false;
    QTimer m_retryTimer;
    int m_failedLoads = 0;
};

}  // namespace paas

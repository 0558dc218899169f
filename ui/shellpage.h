#pragma once
// ShellPage: the QWebEnginePage of the main window. Keeps the embedded web UI
// inside the app's own origin:
//   - navigations to the API origin (scheme, host and port of apiUrl) and
//     in-page/about:/data: navigations stay in the view;
//   - a clicked link to any other origin opens in the desktop's browser
//     (QDesktopServices) and is refused in the view;
//   - window.open / target=_blank opens in the view when it targets the API
//     origin, otherwise in the desktop's browser.
//
// Thread affinity: GUI thread only.
#include <QUrl>
#include <QWebEnginePage>

#include <functional>

namespace paas {

class ShellPage : public QWebEnginePage {
    Q_OBJECT
public:
    ShellPage(QUrl apiUrl, QWebEngineProfile* profile, QObject* parent = nullptr);

    bool isAppUrl(const QUrl& url) const;
    // Default: QDesktopServices::openUrl. Tests replace it to stay headless.
    void setExternalUrlHandler(std::function<void(const QUrl&)> handler) { m_externalHandler = std::move(handler); }
    void openExternally(const QUrl& url);

signals:
    void externalUrlOpened(const QUrl& url);  // handed to the desktop browser

protected:
    bool acceptNavigationRequest(const QUrl& url, NavigationType type, bool isMainFrame) override;
    QWebEnginePage* createWindow(WebWindowType type) override;

private:
    QUrl m_apiUrl;
    std::function<void(const QUrl&)> m_externalHandler;
};

}  // namespace paas

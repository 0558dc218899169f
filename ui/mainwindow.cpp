#include "ui/mainwindow.h"

#include <QCloseEvent>
#include <QDir>
#include <QIcon>
#include <QLoggingCategory>
#include <QSettings>
#include <QStandardPaths>
#include <QWebEngineDownloadRequest>
#include <QWebEngineLoadingInfo>
#include <QWebEngineProfile>
#include <QWebEngineView>

#include "ui/bearerinterceptor.h"
#include "ui/shellpage.h"

namespace paas {

namespace {
Q_LOGGING_CATEGORY(lcWindow, "paas.ui.window")

const char* kGeometryKey = "mainWindow/geometry";
const char* kStateKey = "mainWindow/state";

QUrl withPath(QUrl url)
{
    if (url.path().isEmpty())
        url.setPath(QStringLiteral("/"));
    return url;
}
}  // namespace

MainWindow::MainWindow(QUrl apiUrl, QWidget* parent)
    : QMainWindow(parent),
      m_apiUrl(std::move(apiUrl)),
      m_profile(new QWebEngineProfile(QStringLiteral("paas"), this)),
      m_view(new QWebEngineView(this)),
      m_downloadDir(QStandardPaths::writableLocation(QStandardPaths::DownloadLocation))
{
    setObjectName(QStringLiteral("paasMainWindow"));
    setWindowTitle(QStringLiteral("paas"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/paas.svg")));
    m_page = new ShellPage(m_apiUrl, m_profile, m_view);
    m_view->setPage(m_page);
    setCentralWidget(m_view);
    connect(m_profile, &QWebEngineProfile::downloadRequested, this, &MainWindow::onDownloadRequested);
    connect(m_view, &QWebEngineView::loadFinished, this, &MainWindow::loadFinished);
    connect(m_page, &QWebEnginePage::loadingChanged, this, &MainWindow::onLoadingChanged);
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setInterval(1000);
    connect(&m_retryTimer, &QTimer::timeout, m_view, &QWebEngineView::reload);
    connect(m_view, &QWebEngineView::titleChanged, this, [this](const QString& title) {
        setWindowTitle(title.isEmpty() ? QStringLiteral("paas") : QStringLiteral("%1 — paas").arg(title));
    });
    resize(1200, 800);
    restoreWindowState();
    openHome();
}

void MainWindow::setApiToken(const QByteArray& token)
{
    if (token.isEmpty())
        return;
    m_profile->setUrlRequestInterceptor(new BearerInterceptor(m_apiUrl, token, m_profile));
    openHome();
}

MainWindow::~MainWindow()
{
    saveWindowState();
    // The page must go before its profile (a child created earlier).
    delete m_view;
    m_view = nullptr;
    m_page = nullptr;
}

QUrl MainWindow::homeUrl() const
{
    QUrl url = withPath(m_apiUrl);
    url.setFragment(QString());
    return url;
}

QUrl MainWindow::opUrl(const QUrl& apiUrl, const QString& opId)
{
    QUrl url = withPath(apiUrl);
    url.setFragment(QStringLiteral("/ops/") + opId);
    return url;
}

void MainWindow::openHome()
{
    m_view->setUrl(homeUrl());
}

void MainWindow::openOp(const QString& opId)
{
    m_view->setUrl(opUrl(m_apiUrl, opId));
}

void MainWindow::onLoadingChanged(const QWebEngineLoadingInfo& info)
{
    if (info.status() == QWebEngineLoadingInfo::LoadSucceededStatus) {
        m_failedLoads = 0;
        return;
    }
    // Only "cannot reach the API" is retried: an aborted navigation (a
    // download, a link sent to the browser) or an HTTP error page is not.
    if (info.status() != QWebEngineLoadingInfo::LoadFailedStatus ||
        info.errorDomain() != QWebEngineLoadingInfo::ConnectionErrorDomain || !m_page->isAppUrl(info.url()) ||
        m_failedLoads >= kMaxLoadRetries)
        return;
    ++m_failedLoads;
    qCInfo(lcWindow) << "cannot reach" << info.url().toString() << info.errorString() << "- retry" << m_failedLoads;
    m_retryTimer.start();
}

void MainWindow::onDownloadRequested(QWebEngineDownloadRequest* download)
{
    if (!QDir().mkpath(m_downloadDir)) {
        qCWarning(lcWindow) << "cannot create download folder" << m_downloadDir;
        download->cancel();
        return;
    }
    download->setDownloadDirectory(m_downloadDir);
    connect(download, &QWebEngineDownloadRequest::isFinishedChanged, this, [this, download] {
        if (!download->isFinished())
            return;
        const QString path = QDir(download->downloadDirectory()).filePath(download->downloadFileName());
        const bool ok = download->state() == QWebEngineDownloadRequest::DownloadCompleted;
        qCInfo(lcWindow) << "download" << (ok ? "saved to" : "failed:") << path;
        emit downloadFinished(path, ok);
    });
    download->accept();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveWindowState();
    if (m_closeToTray) {
        hide();
        event->ignore();
        return;
    }
    event->accept();
    emit closeRequested();
}

void MainWindow::restoreWindowState()
{
    QSettings settings(QStringLiteral("paas"), QStringLiteral("paas"));
    const QByteArray geometry = settings.value(QLatin1String(kGeometryKey)).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    const QByteArray state = settings.value(QLatin1String(kStateKey)).toByteArray();
    if (!state.isEmpty())
        restoreState(state);
}

void MainWindow::saveWindowState() const
{
    QSettings settings(QStringLiteral("paas"), QStringLiteral("paas"));
    settings.setValue(QLatin1String(kGeometryKey), saveGeometry());
    settings.setValue(QLatin1String(kStateKey), saveState());
}

}  // namespace paas

#include "ui/mainwindow.h"

#include <QCloseEvent>
#include <QIcon>
#include <QSettings>
#include <QWebEngineView>

namespace paas {

namespace {
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
    : QMainWindow(parent), m_apiUrl(std::move(apiUrl)), m_view(new QWebEngineView(this))
{
    setObjectName(QStringLiteral("paasMainWindow"));
    setWindowTitle(QStringLiteral("paas"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/paas.svg")));
    setCentralWidget(m_view);
    connect(m_view, &QWebEngineView::loadFinished, this, &MainWindow::loadFinished);
    connect(m_view, &QWebEngineView::titleChanged, this, [this](const QString& title) {
        setWindowTitle(title.isEmpty() ? QStringLiteral("paas") : QStringLiteral("%1 — paas").arg(title));
    });
    resize(1200, 800);
    restoreWindowState();
    openHome();
}

MainWindow::~MainWindow()
{
    saveWindowState();
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

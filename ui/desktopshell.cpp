#include "ui/desktopshell.h"

#include <QAction>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QIcon>
#include <QLoggingCategory>
#include <QMenu>
#include <QMenuBar>

#include "ui/aboutdialog.h"
#include "ui/autostart.h"
#include "ui/eventfeed.h"
#include "ui/mainwindow.h"
#include "ui/runningapps.h"
#include "ui/trayicon.h"

#ifndef PAAS_APP_ID
#define PAAS_APP_ID "paas"
#endif

namespace paas {

namespace {
Q_LOGGING_CATEGORY(lcShell, "paas.ui.shell")
}  // namespace

DesktopShell::DesktopShell(QUrl apiUrl, QString artifactsRoot, QObject* parent)
    : QObject(parent),
      m_window(std::make_unique<MainWindow>(apiUrl)),
      m_tray(new TrayIcon(apiUrl, artifactsRoot, this)),
      m_feed(new EventFeed(apiUrl, this)),
      m_autostart(std::make_unique<Autostart>(QStringLiteral(PAAS_APP_ID), QCoreApplication::applicationFilePath())),
      m_apiUrl(apiUrl),
      m_artifactsRoot(std::move(artifactsRoot))
{
    if (QGuiApplication::windowIcon().isNull())
        QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/paas.svg")));
    if (QGuiApplication::desktopFileName().isEmpty())
        QGuiApplication::setDesktopFileName(QStringLiteral(PAAS_APP_ID));  // installer/linux/<id>.desktop
    // Quitting is explicit (quitRequested -> the app's orderly shutdown); a
    // window hidden to the tray must never end the process by itself.
    QGuiApplication::setQuitOnLastWindowClosed(false);
    m_window->setCloseToTray(m_tray->hasSystemTray());
    connect(m_feed, &EventFeed::opEvent, m_tray, &TrayIcon::handleOpEvent);
    connect(m_tray, &TrayIcon::openRequested, this, &DesktopShell::showWindow);
    connect(m_tray, &TrayIcon::openOpRequested, this, &DesktopShell::openOp);
    connect(m_tray, &TrayIcon::quitRequested, this, &DesktopShell::quitRequested);
    connect(m_window.get(), &MainWindow::closeRequested, this, &DesktopShell::quitRequested);
    connect(m_tray, &TrayIcon::startAtLoginToggled, this, &DesktopShell::setStartAtLogin);
    connect(m_tray, &TrayIcon::aboutRequested, this, &DesktopShell::showAbout);
    m_running = new RunningApps(apiUrl, m_tray->runningMenu(), this);
    connect(m_running, &RunningApps::openUrlRequested, this, [](const QUrl& url) { QDesktopServices::openUrl(url); });
    connect(m_tray, &TrayIcon::notificationRequested, m_running, &RunningApps::refresh);  // an op ended
    buildWindowMenu();
}

void DesktopShell::buildWindowMenu()
{
    QMenu* menu = m_window->menuBar()->addMenu(tr("&paas"));
    menu->setObjectName(QStringLiteral("windowMenu"));
    m_windowStartAtLogin = menu->addAction(tr("Start at login"));
    m_windowStartAtLogin->setObjectName(QStringLiteral("windowStartAtLogin"));
    m_windowStartAtLogin->setCheckable(true);
    connect(m_windowStartAtLogin, &QAction::triggered, this, &DesktopShell::setStartAtLogin);
    menu->addAction(tr("About paas"), this, &DesktopShell::showAbout)->setObjectName(QStringLiteral("windowAbout"));
    menu->addSeparator();
    menu->addAction(tr("Quit paas"), this, &DesktopShell::quitRequested)->setObjectName(QStringLiteral("windowQuit"));
    const bool enabled = m_autostart->isEnabled();
    m_windowStartAtLogin->setChecked(enabled);
    m_tray->setStartAtLogin(enabled);
}

void DesktopShell::setBuildInfo(const QString& version, const QString& commit)
{
    m_version = version;
    m_commit = commit;
}

void DesktopShell::setStartAtLogin(bool enabled)
{
    QString error;
    if (!m_autostart->setEnabled(enabled, &error))
        qCWarning(lcShell).noquote() << "start at login:" << error;
    const bool now = m_autostart->isEnabled();
    m_windowStartAtLogin->setChecked(now);
    m_tray->setStartAtLogin(now);
}

void DesktopShell::showAbout()
{
    if (!m_about)
        m_about = new AboutDialog({m_version, m_commit, m_artifactsRoot, m_apiUrl}, m_window.get());
    m_about->show();
    m_about->raise();
    m_about->activateWindow();
}

DesktopShell::~DesktopShell()
{
    m_feed->stop();
}

void DesktopShell::setApiToken(const QByteArray& token)
{
    m_window->setApiToken(token);
    m_feed->setApiToken(token);
    m_running->setApiToken(token);
}

bool DesktopShell::hasSystemTray() const
{
    return m_tray->hasSystemTray();
}

void DesktopShell::show(bool minimized)
{
    if (!minimized || !m_tray->hasSystemTray())
        m_window->show();
    m_feed->start();
    m_running->start();
}

void DesktopShell::showWindow()
{
    if (m_window->isMinimized())
        m_window->showNormal();
    else
        m_window->show();
    m_window->raise();
    m_window->activateWindow();
    m_tray->acknowledge();
}

void DesktopShell::openOp(const QString& opId)
{
    m_window->openOp(opId);
    showWindow();
}

}  // namespace paas

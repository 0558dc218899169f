#include "ui/desktopshell.h"

#include <QGuiApplication>
#include <QIcon>

#include "ui/eventfeed.h"
#include "ui/mainwindow.h"
#include "ui/trayicon.h"

namespace paas {

DesktopShell::DesktopShell(QUrl apiUrl, QString artifactsRoot, QObject* parent)
    : QObject(parent),
      m_window(std::make_unique<MainWindow>(apiUrl)),
      m_tray(new TrayIcon(apiUrl, std::move(artifactsRoot), this)),
      m_feed(new EventFeed(apiUrl, this))
{
    if (QGuiApplication::windowIcon().isNull())
        QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/paas.svg")));
    if (QGuiApplication::desktopFileName().isEmpty())
        QGuiApplication::setDesktopFileName(QStringLiteral("paas"));  // installer/paas.desktop
    // Quitting is explicit (quitRequested -> the app's orderly shutdown); a
    // window hidden to the tray must never end the process by itself.
    QGuiApplication::setQuitOnLastWindowClosed(false);
    m_window->setCloseToTray(m_tray->hasSystemTray());
    connect(m_feed, &EventFeed::opEvent, m_tray, &TrayIcon::handleOpEvent);
    connect(m_tray, &TrayIcon::openRequested, this, &DesktopShell::showWindow);
    connect(m_tray, &TrayIcon::openOpRequested, this, &DesktopShell::openOp);
    connect(m_tray, &TrayIcon::quitRequested, this, &DesktopShell::quitRequested);
    connect(m_window.get(), &MainWindow::closeRequested, this, &DesktopShell::quitRequested);
}

DesktopShell::~DesktopShell()
{
    m_feed->stop();
}

void DesktopShell::setApiToken(const QByteArray& token)
{
    m_window->setApiToken(token);
    m_feed->setApiToken(token);
}

bool DesktopShell::hasSystemTray() const
{
    return m_tray->hasSystemTray();
}

void DesktopShell::show()
{
    m_window->show();
    m_feed->start();
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

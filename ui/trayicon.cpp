#include "ui/trayicon.h"

#include <QAction>
#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>

#include <memory>

namespace paas {

namespace {
Q_LOGGING_CATEGORY(lcTray, "paas.ui.tray")

QString iconPath(TrayState state)
{
    return QStringLiteral(":/icons/paas-%1.svg").arg(trayStateName(state));
}

QString describe(const OpSummary& op)
{
    QString what = op.kind.isEmpty() ? QStringLiteral("op") : op.kind;
    if (!op.projectId.isEmpty())
        what += QLatin1Char(' ') + op.projectId;
    return QStringLiteral("%1: %2 (%3)").arg(what, op.status, op.opId);
}

QPixmap badged(const QIcon& base, int count)
{
    QPixmap pixmap = base.pixmap(64, 64);
    if (pixmap.isNull())
        return pixmap;
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF badge(30, 30, 32, 32);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0xf5, 0x9e, 0x0b));
    painter.drawEllipse(badge);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(count > 9 ? 16 : 22);
    painter.setFont(font);
    painter.setPen(Qt::black);
    painter.drawText(badge, Qt::AlignCenter, count > 99 ? QStringLiteral("99+") : QString::number(count));
    return pixmap;
}
}  // namespace

TrayIcon::TrayIcon(QUrl apiUrl, QString artifactsRoot, QObject* parent)
    : QObject(parent), m_apiUrl(std::move(apiUrl)), m_artifactsRoot(std::move(artifactsRoot))
{
    qRegisterMetaType<paas::TrayState>("paas::TrayState");
    buildMenu();
    connect(&m_tracker, &OpTracker::changed, this, &TrayIcon::refresh);
    connect(&m_tracker, &OpTracker::opFinished, this, &TrayIcon::onOpFinished);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(this);
        m_tray->setContextMenu(m_menu.get());
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                emit openRequested();
        });
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, &TrayIcon::openRequested);
    } else {
        qCInfo(lcTray) << "no system tray available: running without a tray icon";
    }
    m_lastState = TrayState::Idle;
    m_icon = iconFor(TrayState::Idle, 0);
    m_toolTip = QStringLiteral("paas — idle");
    if (m_tray) {
        m_tray->setIcon(m_icon);
        m_tray->setToolTip(m_toolTip);
        m_tray->show();
    }
}

TrayIcon::~TrayIcon()
{
    // The QSystemTrayIcon (its X11 dock widget and any balloon it shows)
    // goes first, while the menu it points at and the tracker its signals
    // reach are still alive; as a QObject child it would outlive them.
    if (m_tray) {
        m_tray->hide();
        delete m_tray;
        m_tray = nullptr;
    }
}

QIcon TrayIcon::iconFor(TrayState state, int runningCount)
{
    const QIcon base(iconPath(state));
    if (state != TrayState::Running || runningCount <= 0)
        return base;
    const QPixmap pixmap = badged(base, runningCount);
    return pixmap.isNull() ? base : QIcon(pixmap);
}

void TrayIcon::buildMenu()
{
    m_menu = std::make_unique<QMenu>();
    QAction* open = m_menu->addAction(tr("Open paas"), this, &TrayIcon::openRequested);
    open->setObjectName(QStringLiteral("open"));
    m_recentMenu = m_menu->addMenu(tr("Recent operations"));
    m_recentMenu->setObjectName(QStringLiteral("recent"));
    m_recentMenu->setEnabled(false);
    m_runningMenu = m_menu->addMenu(tr("Running apps"));
    m_runningMenu->setObjectName(QStringLiteral("running"));
    m_runningMenu->setEnabled(false);
    m_menu->addSeparator();
    QAction* copy = m_menu->addAction(tr("Copy API URL"), this,
                                      [this] { QGuiApplication::clipboard()->setText(m_apiUrl.toString()); });
    copy->setObjectName(QStringLiteral("copyApiUrl"));
    QAction* folder = m_menu->addAction(tr("Open artifacts folder"), this, [this] {
        QDir().mkpath(m_artifactsRoot);  // before the first project it may not exist yet
        if (!QDesktopServices::openUrl(QUrl::fromLocalFile(m_artifactsRoot)))
            qCWarning(lcTray) << "could not open" << m_artifactsRoot;
    });
    folder->setObjectName(QStringLiteral("openArtifacts"));
    m_menu->addSeparator();
    m_startAtLogin = m_menu->addAction(tr("Start at login"));
    m_startAtLogin->setObjectName(QStringLiteral("startAtLogin"));
    m_startAtLogin->setCheckable(true);
    connect(m_startAtLogin, &QAction::triggered, this, &TrayIcon::startAtLoginToggled);
    QAction* about = m_menu->addAction(tr("About paas"), this, &TrayIcon::aboutRequested);
    about->setObjectName(QStringLiteral("about"));
    QAction* quit = m_menu->addAction(tr("Quit paas"), this, &TrayIcon::quitRequested);
    quit->setObjectName(QStringLiteral("quit"));
}

void TrayIcon::setStartAtLogin(bool checked)
{
    m_startAtLogin->setChecked(checked);
}

void TrayIcon::handleOpEvent(const QString& type, const QJsonObject& data)
{
    m_tracker.handleEvent(type, data);
}

void TrayIcon::acknowledge()
{
    m_tracker.acknowledge();
}

void TrayIcon::refresh()
{
    const TrayState state = m_tracker.state();
    const int count = m_tracker.runningCount();
    QString tip = QStringLiteral("paas — %1").arg(trayStateName(state));
    if (state == TrayState::Running)
        tip += QStringLiteral(" (%1)").arg(count);
    if (const OpSummary* last = m_tracker.lastOp())
        tip += QLatin1Char('\n') + describe(*last);
    m_toolTip = tip;
    if (m_tray)
        m_tray->setToolTip(tip);
    rebuildRecentMenu();
    if (state == m_lastState && count == m_lastCount)
        return;
    m_lastState = state;
    m_lastCount = count;
    m_icon = iconFor(state, count);
    if (m_tray)
        m_tray->setIcon(m_icon);
    emit stateChanged(state, count);
}

void TrayIcon::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QList<OpSummary> ops = m_tracker.recentOps();
    for (const OpSummary& op : ops) {
        const QString opId = op.opId;
        QAction* action = m_recentMenu->addAction(describe(op), this, [this, opId] { emit openOpRequested(opId); });
        action->setObjectName(QStringLiteral("op:") + opId);
    }
    m_recentMenu->setEnabled(!ops.isEmpty());
}

void TrayIcon::onOpFinished(const OpSummary& op, bool failed)
{
    // "paas: shop — create failed", "paas: create completed", "paas: operation failed"
    const QString what = op.kind.isEmpty() ? tr("operation") : op.kind;
    const QString subject = op.projectId.isEmpty() ? what : QStringLiteral("%1 — %2").arg(op.projectId, what);
    TrayNotification note;
    note.failed = failed;
    note.title = failed ? tr("paas: %1 failed").arg(subject) : tr("paas: %1 completed").arg(subject);
    note.body = op.opId;
    if (failed && !op.error.isEmpty())
        note.body += QStringLiteral(": ") + op.error;
    m_lastNotification = note;
    ++m_notificationCount;
    qCInfo(lcTray).noquote() << "notification:" << note.title;
    if (m_tray)
        m_tray->showMessage(note.title, note.body, failed ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information);
    emit notificationRequested(note.title, note.body);
}

}  // namespace paas

#pragma once
// TrayIcon: the paas system tray icon, following the op event feed.
//
// The state machine (OpTracker) always runs; the QSystemTrayIcon is created
// only when QSystemTrayIcon::isSystemTrayAvailable() says a tray host exists
// (never under QT_QPA_PLATFORM=offscreen). Without one, state(),
// notificationRequested() and the menu still work, so the app and the tests
// run the same code.
//
//   state: idle / running (icon carries the running count) / failed, icons
//          from :/icons/paas-<state>.svg (resources/icons/).
//   tooltip: "paas — <state>" plus the last op ("<kind> <project>: <status>").
//   notification: when an op completes or fails, notificationRequested(title,
//          body) is emitted and, with a tray, shown with showMessage().
//   menu (objectNames in brackets): Open [open], Recent operations submenu
//          [recent] with one action per op [op:<opId>], Running apps submenu
//          [running] (filled by RunningApps, runningapps.h), Copy API URL
//          [copyApiUrl], Open artifacts folder [openArtifacts], Start at
//          login (checkable) [startAtLogin], About paas [about], Quit [quit].
//   Clicking the icon or Open emits openRequested(); a recent op emits
//   openOpRequested(opId); Quit emits quitRequested(). Start at login emits
//   startAtLoginToggled(checked) when the user toggles it (the owner writes or
//   removes the autostart entry, then calls setStartAtLogin() with the outcome);
//   About emits aboutRequested().
//
// Thread affinity: GUI thread only (QObject + widgets).
#include <QIcon>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

#include "ui/optracker.h"

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace paas {

struct TrayNotification {
    QString title;
    QString body;
    bool failed = false;
};

class TrayIcon : public QObject {
    Q_OBJECT
public:
    TrayIcon(QUrl apiUrl, QString artifactsRoot, QObject* parent = nullptr);
    ~TrayIcon() override;

    bool hasSystemTray() const { return m_tray != nullptr; }
    QSystemTrayIcon* systemTrayIcon() const { return m_tray; }  // null without a tray host
    QMenu* menu() const { return m_menu.get(); }
    QMenu* runningMenu() const { return m_runningMenu; }
    void setStartAtLogin(bool checked);  // the item's check mark only; emits nothing
    OpTracker* tracker() { return &m_tracker; }

    TrayState state() const { return m_tracker.state(); }
    int runningCount() const { return m_tracker.runningCount(); }
    QString toolTip() const { return m_toolTip; }
    QIcon currentIcon() const { return m_icon; }
    TrayNotification lastNotification() const { return m_lastNotification; }
    int notificationCount() const { return m_notificationCount; }

    // Renders the icon for a state; a running count > 0 is painted as a badge.
    static QIcon iconFor(TrayState state, int runningCount);

public slots:
    void handleOpEvent(const QString& type, const QJsonObject& data);
    void acknowledge();  // the window was opened: Failed -> Idle

signals:
    void stateChanged(paas::TrayState state, int runningCount);
    void notificationRequested(const QString& title, const QString& body);
    void openRequested();
    void openOpRequested(const QString& opId);
    void quitRequested();
    void startAtLoginToggled(bool checked);
    void aboutRequested();

private:
    void buildMenu();
    void refresh();
    void rebuildRecentMenu();
    void onOpFinished(const OpSummary& op, bool failed);

    QUrl m_apiUrl;
    QString m_artifactsRoot;
    OpTracker m_tracker;
    std::unique_ptr<QMenu> m_menu;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_runningMenu = nullptr;
    QAction* m_startAtLogin = nullptr;
    QSystemTrayIcon* m_tray = nullptr;  // child of this; null without a tray host
    QIcon m_icon;
    QString m_toolTip;
    TrayState m_lastState = TrayState::Idle;
    int m_lastCount = 0;
    TrayNotification m_lastNotification;
    int m_notificationCount = 0;
};

}  // namespace paas

Q_DECLARE_METATYPE(paas::TrayState)

#pragma once
// RunningApps: the tray's "Running apps" submenu [running]: every
// environment that runs a container, from GET <api>/api/running, one action
// each [run:<project>/<env>], "<project> · <env>", whose trigger emits
// openUrlRequested(<its URL>). The menu is disabled while nothing runs.
//
// refresh() sends one GET (5 s bound; a failed or malformed answer keeps the
// menu as it was); start() refreshes now and then every intervalMs. The owner
// also calls refresh() when an op ends (a deploy, stop or start changes the
// list). Talks HTTP like any client, with "Authorization: Bearer" when a
// token is set.
// Thread affinity: GUI thread only.
#include <QByteArray>
#include <QJsonArray>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QMenu;
class QNetworkAccessManager;
class QNetworkReply;

namespace paas {

class RunningApps : public QObject {
    Q_OBJECT
public:
    RunningApps(QUrl apiUrl, QMenu* menu, QObject* parent = nullptr);

    void setApiToken(const QByteArray& token) { m_token = token; }
    void start(int intervalMs = 10000);
    void refresh();
    // Rebuilds the menu from an /api/running "environments" array.
    void show(const QJsonArray& environments);
    int count() const { return m_count; }

signals:
    void openUrlRequested(const QUrl& url);
    void refreshed(int count);

private:
    QUrl m_apiUrl;
    QPointer<QMenu> m_menu;
    QNetworkAccessManager* m_nam = nullptr;
    QPointer<QNetworkReply> m_pending;
    QByteArray m_token;
    QTimer m_timer;
    int m_count = 0;
};

}  // namespace paas

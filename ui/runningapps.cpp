#include "ui/runningapps.h"

#include <QAction>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace paas {

RunningApps::RunningApps(QUrl apiUrl, QMenu* menu, QObject* parent)
    : QObject(parent), m_apiUrl(std::move(apiUrl)), m_menu(menu), m_nam(new QNetworkAccessManager(this))
{
    connect(&m_timer, &QTimer::timeout, this, &RunningApps::refresh);
    if (m_menu)
        m_menu->setEnabled(false);
}

void RunningApps::start(int intervalMs)
{
    refresh();
    m_timer.start(intervalMs);
}

void RunningApps::refresh()
{
    if (m_pending)
        return;  // one request at a time; the next tick or event asks again
    QUrl url = m_apiUrl;
    url.setPath(QStringLiteral("/api/running"));
    QNetworkRequest request(url);
    request.setTransferTimeout(5000);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    m_pending = m_nam->get(request);
    connect(m_pending, &QNetworkReply::finished, this, [this, reply = m_pending.data()] {
        reply->deleteLater();
        const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll());
        if (reply->error() != QNetworkReply::NoError || !doc.isObject())
            return;
        show(doc.object().value(QStringLiteral("environments")).toArray());
    });
}

void RunningApps::show(const QJsonArray& environments)
{
    if (!m_menu)
        return;
    m_menu->clear();
    m_count = 0;
    for (const QJsonValue& value : environments) {
        const QJsonObject env = value.toObject();
        const QString project = env.value(QStringLiteral("project_id")).toString();
        const QString name = env.value(QStringLiteral("environment")).toString();
        const QUrl url(env.value(QStringLiteral("url")).toString());
        const QString state = env.value(QStringLiteral("state")).toString();
        if (project.isEmpty() || name.isEmpty() || !url.isValid() || state == QLatin1String("stopped"))
            continue;
        QString text = QStringLiteral("%1 · %2").arg(project, name);
        if (state != QLatin1String("running"))
            text += QStringLiteral(" (%1)").arg(state);
        QAction* action = m_menu->addAction(text, this, [this, url] { emit openUrlRequested(url); });
        action->setObjectName(QStringLiteral("run:%1/%2").arg(project, name));
        action->setToolTip(url.toString());
        ++m_count;
    }
    m_menu->setEnabled(m_count > 0);
    emit refreshed(m_count);
}

}  // namespace paas

#include "bench/benchcontext.h"

#include "engine/store/kvstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace paas::bench {

BenchContext::BenchContext() = default;

BenchContext::~BenchContext()
{
    stop();
}

bool BenchContext::start(QString* error)
{
    const QString bin = QCoreApplication::applicationDirPath() + "/paas";
    m_app = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PAAS_LISTEN", "127.0.0.1:0");
    env.insert("PAAS_HEADLESS", "1");
    env.insert("PAAS_ARTIFACTS_ROOT", m_root.path() + "/artifacts");
    env.insert("PAAS_NATS_STORE_DIR", m_root.path() + "/nats");
    env.insert("PAAS_IMAGE_BUILDER_MODE", "artifact");
    env.insert("PAAS_SSE_MAX_CLIENTS", "5000");
    env.remove("PAAS_NATS_URL");
    m_app->setProcessEnvironment(env);
    m_app->setProcessChannelMode(QProcess::MergedChannels);
    m_app->start(bin, {"--headless"});
    if (!m_app->waitForStarted(10000)) {
        *error = "cannot start " + bin + " (build it: cmake --build build --target paas)";
        return false;
    }
    QByteArray output;
    const QRegularExpression listening(QStringLiteral("API listening on (\\S+)"));
    QElapsedTimer timer;
    timer.start();
    while (m_url.isEmpty() && timer.elapsed() < 60000 && m_app->state() == QProcess::Running) {
        m_app->waitForReadyRead(200);
        output += m_app->readAll();
        const QRegularExpressionMatch m = listening.match(QString::fromUtf8(output));
        if (m.hasMatch())
            m_url = m.captured(1);
    }
    if (m_url.isEmpty()) {
        *error = "paas did not start:\n" + QString::fromUtf8(output);
        return false;
    }
    QObject::connect(m_app.get(), &QProcess::readyRead, m_app.get(), [this] { m_app->readAll(); });
    m_port = static_cast<quint16>(QUrl(m_url).port());
    const nlohmann::json system = get("/api/system");
    const std::string natsUrl = system.value("nats", nlohmann::json::object()).value("url", std::string());
    Result<std::unique_ptr<NatsClient>> nats = NatsClient::connect(natsUrl, 5000);
    if (!nats) {
        *error = "cannot reach the app's NATS at " + QString::fromStdString(natsUrl);
        return false;
    }
    m_nats = std::move(nats.value());
    return true;
}

void BenchContext::stop()
{
    m_nats.reset();
    if (m_app && m_app->state() == QProcess::Running) {
        m_app->terminate();
        if (!m_app->waitForFinished(10000))
            m_app->kill();
    }
    m_app.reset();
}

nlohmann::json BenchContext::get(const QString& path, int* status)
{
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(m_url + path));
    QNetworkReply* reply = nam.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    loop.exec();
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return nlohmann::json::parse(body.toStdString(), nullptr, false);
}

qint64 BenchContext::appRssKiB() const
{
    QFile status(QStringLiteral("/proc/%1/status").arg(appPid()));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

bool BenchContext::putRunningOp(const std::string& opId, const std::string& projectId)
{
    Result<std::unique_ptr<KvStore>> ops = m_nats->openBucket("paas_ops");
    if (!ops)
        return false;
    const nlohmann::json record{{"id", opId}, {"kind", "create"}, {"project_id", projectId},
                                {"status", "running"}, {"steps", nlohmann::json::array()}};
    return (*ops)->put(opId, record.dump()).isOk();
}

void BenchContext::figure(const QString& name, double value, const QString& unit)
{
    std::printf("  %-44s %12.3f %s\n", qPrintable(name), value, qPrintable(unit));
    std::fflush(stdout);
}

double percentile(std::vector<double> samples, double p)
{
    if (samples.empty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const double rank = std::ceil(p / 100.0 * static_cast<double>(samples.size()));
    const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(samples.size()))) - 1;
    return samples[index];
}

}  // namespace paas::bench

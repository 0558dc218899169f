#include "app/application.h"

#include "app/apitoken.h"

#include "engine/api/apiserver.h"
#include "engine/api/ssehub.h"
#include "engine/core/atomicfile.h"
#include "engine/core/instanceid.h"
#include "engine/pipeline/platform.h"
#include "engine/store/backend.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace paas {

namespace {
int g_signalFds[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_signalFds[0], &byte, 1);
}
}  // namespace

void requestQuit()
{
    // Not quit(): in Qt 6 a QGuiApplication's quit() first sends close events
    // to the top-level windows and is cancelled when one ignores it, as the
    // close-to-tray window does, so SIGTERM (logout, shutdown) was lost.
    // exit() leaves the event loop unconditionally; main() then shuts down.
    QCoreApplication::exit(0);
}

void installQuitSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return;
    auto* notifier = new QSocketNotifier(g_signalFds[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [] {
        char byte = 0;
        [[maybe_unused]] const ssize_t n = ::read(g_signalFds[1], &byte, 1);
        requestQuit();
    });
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

Application::Application(Config config, QObject* parent) : QObject(parent), m_config(std::move(config)) {}

Application::~Application()
{
    shutdown();
}

void Application::printLine(const QString& line)
{
    std::fputs((line + '\n').toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

QString Application::apiUrl() const
{
    return m_config.listenUrl();
}

Status Application::start()
{
    Result<std::unique_ptr<InstanceId>> instance = InstanceId::claim(m_config.stateDir, m_config.instanceId);
    if (!instance)
        return instance.status();
    m_instance = std::move(instance.value());
    m_config.instanceId = m_instance->id();
    printLine(QStringLiteral("Instance: %1 role=%2").arg(m_config.instanceId, m_config.role));
    printLine(QStringLiteral("Artifacts root: %1").arg(m_config.artifactsRoot));
    m_backend = std::make_unique<Backend>(m_config);
    if (Status s = m_backend->start(); !s)
        return s;
    printLine(m_backend->summaryLine());

    m_platform = std::make_unique<Platform>(m_config, *m_backend);
    if (Status s = m_platform->start(); !s)
        return s;
    printLine(m_platform->builderSummaryLine());
    if (!m_config.servesApi()) {
        printLine(QStringLiteral("Worker ready: running steps, serving no API (role worker)"));
        return Status::ok();
    }

    api::ApiContext context;
    context.config = &m_config;
    context.backend = m_backend.get();
    context.platform = m_platform.get();
    context.builderInfo = [p = m_platform.get()] { return p->builderInfo(); };
    context.debugCounters = [p = m_platform.get()] {
        nlohmann::json counters = p->counters();
        counters.update(api::SseHub::processCounters());
        return counters;
    };
    m_api = std::make_unique<api::ApiServer>(context);
    Result<quint16> port = m_api->start(m_config.listenHost, m_config.listenPort);
    if (!port)
        return port.status();
    m_config.listenPort = *port;
    m_platform->setApiUrl(apiUrl().toStdString());
    writeApiUrlFile();
    if (Status s = writeHookAuthHeader(m_config); !s)
        qWarning().noquote() << "the git hooks cannot authenticate:" << QString::fromStdString(s.message());
    if (!m_config.apiToken.isEmpty())
        printLine(QStringLiteral("API auth: every request needs Authorization: Bearer <token>"));
    printLine(QStringLiteral("API listening on %1").arg(apiUrl()));
    return Status::ok();
}

void Application::writeApiUrlFile()
{
    // The git hooks read this when PAAS_LOCAL_API_BASE_URL is unset, so they
    // follow the port this instance actually listens on.
    const QString url = m_config.localApiBaseUrl.isEmpty() ? apiUrl() : m_config.localApiBaseUrl;
    if (Status s = writeFileAtomic(m_config.artifactsRoot + "/.paas/api-url", url.toUtf8() + '\n'); !s)
        qWarning().noquote() << "cannot record the API URL for hooks:" << QString::fromStdString(s.message());
}

void Application::shutdown()
{
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_api)
        m_api->stop();
    if (m_platform)
        m_platform->stop();
    if (m_backend)
        m_backend->stop();
    m_api.reset();
    m_platform.reset();
    m_backend.reset();
}

}  // namespace paas

#include "engine/api/apiserver.h"

#include "engine/api/guardedtcpserver.h"
#include "engine/api/router.h"
#include "engine/api/routes.h"
#include "engine/core/tsan.h"

#include <QHostAddress>
#include <QThread>

namespace paas::api {

namespace {
constexpr qint64 kMaxBodyBytes = 1024 * 1024;
}

ApiServer::ApiServer(ApiContext context, QObject* parent) : QObject(parent), m_context(std::move(context)) {}

ApiServer::~ApiServer()
{
    stop();
}

Result<quint16> ApiServer::start(const QString& host, quint16 port)
{
    QHostAddress address;
    if (host == QLatin1String("localhost"))
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host))
        return Status::invalidArgument("invalid_listen", "--listen/PAAS_LISTEN host '" + host.toStdString() +
                                                             "' is not an IP address; use e.g. 127.0.0.1:8080");
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("paas-api"));
    m_router = new Router;
    m_router->moveToThread(m_thread);
    m_thread->start();
    Status status;
    QMetaObject::invokeMethod(m_router, tsan::handOff([&] {
                                  auto* tcp = new GuardedTcpServer(kMaxBodyBytes, m_router);
                                  if (!tcp->listen(address, port)) {
                                      status = Status::invalidArgument(
                                          "listen_failed",
                                          "cannot listen on " + host.toStdString() + ":" + std::to_string(port) + " (" +
                                              tcp->errorString().toStdString() +
                                              "); set --listen/PAAS_LISTEN to a free port, or port 0 for any");
                                      tsan::release(&status);
                                      return;
                                  }
                                  m_port = tcp->serverPort();
                                  m_router->setAllowedAuthority(host, m_port);
                                  if (m_context.config)
                                      m_router->setBearerToken(m_context.config->apiToken);
                                  registerRoutes();
                                  m_router->bind(tcp);
                                  tsan::release(&status);
                              }),
                              Qt::BlockingQueuedConnection);
    tsan::acquire(&status);
    if (!status) {
        stop();
        return status;
    }
    return m_port;
}

void ApiServer::registerRoutes()
{
    registerSystemRoutes(*m_router, m_context);
    registerProjectRoutes(*m_router, m_context);
    registerOpRoutes(*m_router, m_context);
    registerEventRoutes(*m_router, m_context);
    registerArtifactRoutes(*m_router, m_context);
    registerDeliveryRoutes(*m_router, m_context);
    registerRunRoutes(*m_router, m_context);
    registerStaticRoutes(*m_router, m_context);
}

void ApiServer::stop()
{
    if (!m_thread)
        return;
    QMetaObject::invokeMethod(m_router, tsan::handOff([this] {
                                  delete m_router;
                                  tsan::release(this);
                              }),
                              Qt::BlockingQueuedConnection);
    tsan::acquire(this);
    m_router = nullptr;
    m_thread->quit();
    m_thread->wait(3000);
    delete m_thread;
    m_thread = nullptr;
}

}  // namespace paas::api

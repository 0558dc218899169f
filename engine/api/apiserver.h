#pragma once
// ApiServer: the JSON API, SSE and the web UI on QHttpServer, on a thread of
// its own so a slow operation can never stall the API.
//
// Contract: start() binds the listen address on the API thread and returns
// the actual port (0 picks a free one); a bad address or a port in use is a
// clear error value naming PAAS_LISTEN/--listen. stop() closes the listener
// and joins the thread (bounded). Routes are registered from the route
// modules (systemroutes, projectroutes, ...), all on the API thread.
// Thread affinity: create, start and stop from the main thread.
#include "engine/api/apicontext.h"
#include "engine/core/status.h"

#include <QObject>
#include <QString>

class QThread;

namespace paas::api {

class Router;

class ApiServer : public QObject {
    Q_OBJECT
public:
    explicit ApiServer(ApiContext context, QObject* parent = nullptr);
    ~ApiServer() override;

    Result<quint16> start(const QString& host, quint16 port);
    void stop();

    quint16 port() const { return m_port; }

private:
    void registerRoutes();

    ApiContext m_context;
    QThread* m_thread = nullptr;
    Router* m_router = nullptr;
    quint16 m_port = 0;
};

}  // namespace paas::api

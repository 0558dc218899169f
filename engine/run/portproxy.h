#pragma once
// PortProxy: the loopback TCP proxy that keeps an environment's URL
// (http://127.0.0.1:<port>) stable while its container is replaced. The new
// container starts on a second "slot" port, is health-checked, then
// setBackend() switches the stable port to it and the old one is stopped.
//
// Contract:
//  - listen(port, backendPort) binds 127.0.0.1:port only (never 0.0.0.0),
//    with SO_REUSEADDR (QTcpServer sets it on Unix) so a restart rebinds at
//    once despite connections in TIME_WAIT. Each accepted connection is
//    forwarded, raw bytes both ways (no HTTP parsing), to
//    127.0.0.1:backendPort. A port that cannot be bound is
//    Status::unavailable("port_in_use"); port 0 is invalidArgument. Calling
//    listen() again for a port already listening only changes the backend.
//  - setBackend(): connections accepted from now on go to the new backend;
//    open ones keep theirs (in-flight requests to the old container finish).
//    A no-op for a port that is not listening.
//  - Bounded memory: once one side's write buffer holds ~1 MiB (kHighWater),
//    the proxy stops reading from the other side until it drains, so TCP
//    flow control pushes back on the sender.
//  - A backend that refuses, or does not accept within kConnectTimeoutMs
//    (5 s), gets the client connection closed, never left hanging.
//  - When either side disconnects, what it sent is flushed to the other side,
//    which is then closed (TCP half-close is not kept open).
//  - close(port) stops listening and drops the port's connections at once;
//    the destructor does so for every port and stops the thread (bounded).
// Thread affinity: public methods are thread-safe. All sockets live on the
// proxy's own thread ("paas-proxy"); listen(), close() and the destructor
// wait for it (never on I/O) and must not be called from it (asserted).
// setBackend(), backend() and openConnections() only take a mutex.
#include "engine/core/status.h"

#include <QtGlobal>

#include <functional>
#include <memory>
#include <optional>

class QThread;

namespace paas {

class PortProxy {
public:
    static constexpr qint64 kHighWater = 1024 * 1024;  // bytes queued to one side before reads pause
    static constexpr int kConnectTimeoutMs = 5000;     // backend connect bound
    static constexpr int kStopTimeoutMs = 5000;        // thread join bound in the destructor

    PortProxy();
    ~PortProxy();
    PortProxy(const PortProxy&) = delete;
    PortProxy& operator=(const PortProxy&) = delete;

    Status listen(quint16 port, quint16 backendPort);
    void setBackend(quint16 port, quint16 backendPort);
    void close(quint16 port);
    std::optional<quint16> backend(quint16 port) const;
    int openConnections(quint16 port) const;

private:
    class Routes;
    class Worker;

    void runOnProxyThread(const std::function<void()>& fn) const;

    std::unique_ptr<Routes> m_routes;
    QThread* m_thread = nullptr;
    Worker* m_worker = nullptr;  // lives on m_thread
};

}  // namespace paas

#pragma once
// GuardedTcpServer: the listening socket in front of QHttpServer. It refuses
// oversized requests with 413 *before* QHttpServer buffers them whole (Qt
// 6.4 has no body limit of its own).
//
// Contract: each connection's bytes go, as they arrive, through a
// RequestGuard (requestguard.h), which follows the HTTP/1.1 framing of every
// request on it: a declared Content-Length over the limit, chunked bodies
// adding up to more than the limit, a head over 64 KiB, or more unconsumed
// bytes than limit + head allowance at once, get a JSON 413 and the
// connection is closed. Everything else passes untouched to QHttpServer.
// Thread affinity: lives on the API thread.
#include <QTcpServer>

namespace paas::api {

class RequestGuard;

class GuardedTcpServer : public QTcpServer {
    Q_OBJECT
public:
    explicit GuardedTcpServer(qint64 maxBodyBytes, QObject* parent = nullptr);

    qint64 maxBodyBytes() const { return m_maxBodyBytes; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void inspect(QTcpSocket* socket, RequestGuard& guard);
    void reject(QTcpSocket* socket);

    qint64 m_maxBodyBytes;
};

}  // namespace paas::api

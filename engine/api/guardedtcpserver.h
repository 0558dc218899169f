#pragma once
// GuardedTcpServer: the listening socket in front of QHttpServer. It refuses
// oversized requests with 413 *before* QHttpServer buffers them whole (Qt
// 6.4 has no body limit of its own).
//
// Contract: for each connection it looks at the request head as it arrives;
// a declared Content-Length over the limit, or more unconsumed bytes than
// limit + head allowance (chunked or lying clients), gets a JSON 413 and the
// connection is closed. Everything else passes untouched to QHttpServer.
// Thread affinity: lives on the API thread.
#include <QTcpServer>

namespace paas::api {

class GuardedTcpServer : public QTcpServer {
    Q_OBJECT
public:
    explicit GuardedTcpServer(qint64 maxBodyBytes, QObject* parent = nullptr);

    qint64 maxBodyBytes() const { return m_maxBodyBytes; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void inspect(QTcpSocket* socket);
    void reject(QTcpSocket* socket);

    qint64 m_maxBodyBytes;
};

}  // namespace paas::api

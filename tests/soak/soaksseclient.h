#pragma once
// SoakSseClient: a lean HTTP/1.1 SSE client on a QTcpSocket for the soak
// (hundreds per thread, hours of frames): it keeps no frame history, it hands
// each parsed frame (id, event, data) to onFrame and reports the end of every
// connection once through onClosed. open() may be called again after a close
// (a reconnect), with a Last-Event-ID sent as the header or as ?lastEventId=.
// Thread affinity: the thread that created it (its event loop drives the socket).
#include <QByteArray>
#include <QObject>
#include <QTcpSocket>

#include <cstdint>
#include <functional>

namespace paas::soak {

struct SoakSseFrame {
    uint64_t id = 0;  // 0: no id: line (bootstrap, heartbeat, snapshot terminal)
    QByteArray event;
    QByteArray data;
};

class SoakSseClient : public QObject {
public:
    explicit SoakSseClient(quint16 port, QObject* parent = nullptr);

    // Connects and sends GET path. lastEventId 0: none; viaQuery: as ?lastEventId=.
    void open(const QByteArray& path, uint64_t lastEventId = 0, bool viaQuery = false);
    // Closes from this side; onClosed is not called for it.
    void abort();
    bool isOpen() const { return m_open; }
    int status() const { return m_status; }  // HTTP status of the current/last response

    std::function<void(const SoakSseFrame&)> onFrame;
    std::function<void(int status)> onClosed;  // the server (or the network) ended it

private:
    void onData();
    void parseFrame(const QByteArray& block);
    void closed();

    QTcpSocket m_socket;
    quint16 m_port;
    QByteArray m_request;
    QByteArray m_buffer;
    int m_status = 0;
    bool m_open = false;
};

}  // namespace paas::soak

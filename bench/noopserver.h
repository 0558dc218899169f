#pragma once
// NoopServer: a loopback HTTP/1.1 server that answers every request at once
// with a fixed 200 JSON body, on a thread of its own. HttpLoad against it
// measures the load generator itself: what it can drive when the server
// costs next to nothing (row L1: it must outrun every server rate measured).
//
// Contract: start() listens on 127.0.0.1, a free port, and returns it (0 on
// failure); requests are framed by their head and Content-Length (keep-alive,
// pipelining tolerated); stop() (or the destructor) ends the thread and
// closes every socket.
// Thread affinity: start()/stop() from one thread; the server runs on its own.
#include <QtGlobal>

#include <atomic>
#include <string>
#include <thread>

namespace paas::bench {

class NoopServer {
public:
    NoopServer() = default;
    ~NoopServer();
    NoopServer(const NoopServer&) = delete;
    NoopServer& operator=(const NoopServer&) = delete;

    quint16 start();
    void stop();

private:
    void loop();

    int m_listen = -1;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace paas::bench

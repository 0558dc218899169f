#pragma once
// SocketProxy: a test-only Unix socket relay in front of a real socket, so a
// test can make "the daemon" vanish mid-RPC by cutting every relayed
// connection (cut()) without killing the shared dockerd. One background
// thread; start/cut/destructor from the test thread.
#include <atomic>
#include <string>
#include <thread>

namespace paas::test {

class SocketProxy {
public:
    SocketProxy(std::string listenPath, std::string upstreamPath);
    ~SocketProxy();
    bool start();
    void cut();  // closes the listener and every relayed connection
    int connections() const { return m_connections.load(); }

private:
    void run();
    std::string m_listenPath;
    std::string m_upstreamPath;
    int m_listenFd = -1;
    int m_wakePipe[2] = {-1, -1};
    std::atomic<int> m_connections{0};
    std::thread m_thread;
};

}  // namespace paas::test

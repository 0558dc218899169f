#pragma once
// Application: wires the pieces of one paas process together — the JetStream
// backend, the pipeline platform, the HTTP API and (unless headless) the
// desktop shell — and takes them down in order on Quit/SIGINT/SIGTERM.
//
// Contract: start() prints the startup lines on stdout ("Instance: <id>
// role=<role>", artifacts root, NATS, image builder, and last "API listening
// on <url>" once the API answers; a worker, which serves no API, ends with
// "Worker ready");
// any failure is returned as an error value whose message names the
// flag/variable and the fix. shutdown() is idempotent and bounded (< 5 s).
// Thread affinity: main thread.
#include "engine/core/config.h"
#include "engine/core/status.h"

#include <QObject>

#include <memory>

namespace paas {

class Backend;
class InstanceId;
class Platform;
namespace api {
class ApiServer;
}

class Application : public QObject {
    Q_OBJECT
public:
    explicit Application(Config config, QObject* parent = nullptr);
    ~Application() override;

    Status start();
    void shutdown();

    const Config& config() const { return m_config; }
    QString apiUrl() const;

private:
    void printLine(const QString& line);
    void writeApiUrlFile();

    Config m_config;
    std::unique_ptr<InstanceId> m_instance;  // holds the id's lock
    std::unique_ptr<Backend> m_backend;
    std::unique_ptr<Platform> m_platform;
    std::unique_ptr<api::ApiServer> m_api;
    bool m_stopped = false;
};

// Leaves the event loop unconditionally (QCoreApplication::exit(0)); main()
// then stops the API, the workers and nats-server in order. Used by
// SIGINT/SIGTERM and by the tray/window Quit.
void requestQuit();
// Routes SIGINT/SIGTERM into requestQuit().
void installQuitSignalHandlers();

}  // namespace paas

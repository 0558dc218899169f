#pragma once
// SingleInstance: at most one paas desktop process per user and artifacts root.
//
// A QLocalServer named serverName() is the lock. A second launch calls
// activateExisting(): it connects to that server, sends "activate\n", waits for
// the "ok\n" acknowledgement and returns true; the running instance emits
// activationRequested() (wire it to DesktopShell::showWindow) and the second
// launch exits 0. When nobody answers, activateExisting() returns false and
// the caller becomes the instance with listen().
//
// Guarantees:
//   - listen() recovers from a stale socket file left by a crashed instance
//     (QLocalServer::removeServer), but never steals the name from a live one:
//     it first checks that nobody answers on it.
//   - The socket is created with QLocalServer::UserAccessOption (owner only).
//   - No exceptions; failures are returned as bool and logged.
//
// Thread affinity: a QObject of the thread that created it (the GUI thread).
// activateExisting() blocks for at most timeoutMs() (it is meant to run
// before the event loop starts) and must not be called by the process that
// is itself listening on the same name from the same thread.
#include <QObject>
#include <QString>

class QLocalServer;

namespace paas {

class SingleInstance : public QObject {
    Q_OBJECT
public:
    explicit SingleInstance(QString serverName, QObject* parent = nullptr);
    ~SingleInstance() override;

    // "paas-" + a hash of the user name and the canonical artifacts root: a
    // short name valid on every platform (Unix socket paths are limited).
    static QString serverNameFor(const QString& artifactsRoot);

    const QString& serverName() const { return m_serverName; }
    int timeoutMs() const { return m_timeoutMs; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    // True when a running instance acknowledged the activation request.
    bool activateExisting();
    // Becomes the instance. False if another live instance holds the name or
    // the socket cannot be created.
    bool listen();
    bool isListening() const;

signals:
    void activationRequested();

private:
    void onNewConnection();
    bool tryListen();

    QString m_serverName;
    int m_timeoutMs = 2000;
    QLocalServer* m_server = nullptr;
};

}  // namespace paas

#include "ui/singleinstance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>

namespace paas {

namespace {
Q_LOGGING_CATEGORY(lcInstance, "paas.ui.instance")

const QByteArray kActivate = "activate\n";
const QByteArray kAck = "ok\n";

QString currentUser()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user;
}
}  // namespace

SingleInstance::SingleInstance(QString serverName, QObject* parent)
    : QObject(parent), m_serverName(std::move(serverName))
{
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::serverNameFor(const QString& artifactsRoot)
{
    QFileInfo info(artifactsRoot);
    const QString canonical = info.exists() ? info.canonicalFilePath() : QDir::cleanPath(info.absoluteFilePath());
    const QByteArray key = (currentUser() + QLatin1Char('\n') + canonical).toUtf8();
    const QByteArray hash = QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(16);
    return QStringLiteral("paas-") + QString::fromLatin1(hash);
}

bool SingleInstance::activateExisting()
{
    QLocalSocket socket;
    socket.connectToServer(m_serverName);
    if (!socket.waitForConnected(m_timeoutMs))
        return false;
    socket.write(kActivate);
    if (!socket.waitForBytesWritten(m_timeoutMs))
        return false;
    QByteArray reply;
    while (!reply.contains('\n') && socket.waitForReadyRead(m_timeoutMs))
        reply += socket.readAll();
    const bool acknowledged = reply.startsWith(kAck);
    if (!acknowledged)
        qCWarning(lcInstance) << "instance" << m_serverName << "did not acknowledge activation";
    socket.disconnectFromServer();
    return acknowledged;
}

bool SingleInstance::tryListen()
{
    if (!m_server) {
        m_server = new QLocalServer(this);
        m_server->setSocketOptions(QLocalServer::UserAccessOption);
        connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
    }
    return m_server->listen(m_serverName);
}

bool SingleInstance::listen()
{
    if (isListening())
        return true;
    // QLocalServer with UserAccessOption binds in a private temp dir and
    // renames over the final path, so listen() alone would silently steal
    // the name from a live instance: probe first.
    QLocalSocket probe;
    probe.connectToServer(m_serverName);
    if (probe.waitForConnected(m_timeoutMs)) {
        qCInfo(lcInstance) << "another instance is listening on" << m_serverName;
        return false;
    }
    // Nobody answers: whatever is left at that name is stale.
    QLocalServer::removeServer(m_serverName);
    if (tryListen())
        return true;
    qCWarning(lcInstance) << "cannot listen on" << m_serverName << m_server->errorString();
    return false;
}

bool SingleInstance::isListening() const
{
    return m_server && m_server->isListening();
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket* socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        auto handle = [this, socket] {
            if (!socket->canReadLine())
                return;
            const QByteArray line = socket->readLine();
            if (line == kActivate) {
                socket->write(kAck);
                socket->flush();
                emit activationRequested();
            }
            socket->disconnectFromServer();
        };
        connect(socket, &QLocalSocket::readyRead, this, handle);
        handle();  // the request may already be buffered
    }
}

}  // namespace paas

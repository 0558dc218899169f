// SingleInstance across real processes: the test binary re-runs itself as the
// "second launch" (env PAAS_UI_SI_ROLE), so the two instances talk over a
// real QLocalSocket exactly as two paas processes would.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLocalServer>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

#include <unistd.h>

#include "ui/singleinstance.h"

using namespace paas;

namespace {
QString uniqueName()
{
    return QStringLiteral("paas-test-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
}

// Child roles, run in a separate process.
int runChild(const QString& role, const QString& name)
{
    if (role == QLatin1String("second")) {
        SingleInstance second(name);
        if (!second.activateExisting())
            return 10;
        return second.listen() ? 11 : 0;  // the live instance must keep its name
    }
    if (role == QLatin1String("crash")) {
        QLocalServer server;
        if (!server.listen(name))
            return 20;
        ::_exit(0);  // die without cleanup: leaves a stale socket file
    }
    return 99;
}

struct ChildResult {
    bool finished = false;
    int exitCode = -1;
};

ChildResult runSelf(const QString& role, const QString& name)
{
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PAAS_UI_SI_ROLE"), role);
    env.insert(QStringLiteral("PAAS_UI_SI_NAME"), name);
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedChannels);
    QSignalSpy done(&child, &QProcess::finished);
    child.start(QCoreApplication::applicationFilePath(), {});
    // Waiting through the event loop lets this process answer the child.
    const bool finished = done.wait(60000);
    return {finished, finished ? child.exitCode() : -1};
}
}  // namespace

class TestSingleInstance : public QObject {
    Q_OBJECT
private slots:
    void nothingToActivate();
    void secondLaunchActivatesFirst();
    void staleSocketIsReplaced();
    void serverNameIsStablePerRoot();
};

void TestSingleInstance::nothingToActivate()
{
    SingleInstance instance(uniqueName());
    QVERIFY(!instance.activateExisting());
    QVERIFY(instance.listen());
    QVERIFY(instance.isListening());
}

void TestSingleInstance::secondLaunchActivatesFirst()
{
    const QString name = uniqueName();
    SingleInstance first(name);
    QVERIFY(!first.activateExisting());
    QVERIFY(first.listen());
    QSignalSpy activations(&first, &SingleInstance::activationRequested);
    const ChildResult second = runSelf(QStringLiteral("second"), name);
    QVERIFY(second.finished);
    QCOMPARE(second.exitCode, 0);  // activateExisting() true, listen() false
    QTRY_COMPARE(activations.count(), 1);
    QVERIFY(first.isListening());
}

void TestSingleInstance::staleSocketIsReplaced()
{
    const QString name = uniqueName();
    const ChildResult crashed = runSelf(QStringLiteral("crash"), name);
    QVERIFY(crashed.finished);
    QCOMPARE(crashed.exitCode, 0);
    const QString socketPath = QDir::tempPath() + QLatin1Char('/') + name;
    QVERIFY2(QFile::exists(socketPath), qPrintable(socketPath));  // the stale file is really there

    SingleInstance instance(name);
    QVERIFY(!instance.activateExisting());  // nobody answers on it
    QVERIFY(instance.listen());             // stale socket removed, name taken
    QSignalSpy activations(&instance, &SingleInstance::activationRequested);
    const ChildResult second = runSelf(QStringLiteral("second"), name);
    QCOMPARE(second.exitCode, 0);
    QTRY_COMPARE(activations.count(), 1);
}

void TestSingleInstance::serverNameIsStablePerRoot()
{
    const QString a = SingleInstance::serverNameFor(QStringLiteral("/tmp/paas-root-a"));
    QCOMPARE(a, SingleInstance::serverNameFor(QStringLiteral("/tmp/paas-root-a/")));
    QVERIFY(a != SingleInstance::serverNameFor(QStringLiteral("/tmp/paas-root-b")));
    QVERIFY(a.startsWith(QStringLiteral("paas-")));
    QVERIFY(a.size() <= 40);
}

int main(int argc, char** argv)
{
    const QString role = qEnvironmentVariable("PAAS_UI_SI_ROLE");
    if (!role.isEmpty()) {
        QCoreApplication app(argc, argv);
        return runChild(role, qEnvironmentVariable("PAAS_UI_SI_NAME"));
    }
    QCoreApplication app(argc, argv);
    TestSingleInstance test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_singleinstance.moc"

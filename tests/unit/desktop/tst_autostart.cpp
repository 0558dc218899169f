// Autostart (ui/autostart.h): "Start at login" writes and removes
// $XDG_CONFIG_HOME/autostart/<id>.desktop, which runs `paas --minimized`.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "ui/autostart.h"

using namespace paas;

namespace {
QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
}  // namespace

class TestAutostart : public QObject {
    Q_OBJECT
private slots:
    void init();
    void writesTheEntryAndRemovesIt();
    void leavesOtherEntriesAlone();
    void entryIsAValidDesktopFile();
    void quotesAnExecutableWithSpaces();
    void relativeConfigHomeFallsBackToDotConfig();
    void reportsAnUnwritableConfigHome();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestAutostart::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    qputenv("XDG_CONFIG_HOME", (m_dir->path() + "/config").toUtf8());
    qputenv("HOME", (m_dir->path() + "/home").toUtf8());
}

void TestAutostart::writesTheEntryAndRemovesIt()
{
    Autostart autostart(QStringLiteral("dev.paas.Paas"), QStringLiteral("/usr/bin/paas"));
    const QString path = m_dir->path() + "/config/autostart/dev.paas.Paas.desktop";
    QCOMPARE(autostart.filePath(), path);
    QVERIFY(!autostart.isEnabled());

    QString error;
    QVERIFY2(autostart.setEnabled(true, &error), qPrintable(error));
    QVERIFY(autostart.isEnabled());
    const QByteArray text = readAll(path);
    QCOMPARE(text, autostart.content());
    const QList<QByteArray> lines = text.split('\n');
    QCOMPARE(lines.front(), QByteArray("[Desktop Entry]"));
    QVERIFY(lines.contains("Type=Application"));
    QVERIFY(lines.contains("Exec=/usr/bin/paas --minimized"));
    QVERIFY(lines.contains("Icon=dev.paas.Paas"));
    QVERIFY(lines.contains("Terminal=false"));
    QVERIFY(autostart.setEnabled(true));  // idempotent: rewritten, same content
    QCOMPARE(readAll(path), text);

    QVERIFY(autostart.setEnabled(false, &error));
    QVERIFY(!QFile::exists(path));
    QVERIFY(!autostart.isEnabled());
    QVERIFY(autostart.setEnabled(false));  // already off: still fine
}

void TestAutostart::leavesOtherEntriesAlone()
{
    const QString dir = m_dir->path() + "/config/autostart";
    QVERIFY(QDir().mkpath(dir));
    QFile other(dir + "/other.desktop");
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.write("[Desktop Entry]\nType=Application\nName=other\nExec=other\n");
    other.close();
    Autostart autostart(QStringLiteral("dev.paas.Paas"), QStringLiteral("/usr/bin/paas"));
    QVERIFY(autostart.setEnabled(true));
    QVERIFY(autostart.setEnabled(false));
    QCOMPARE(QDir(dir).entryList(QDir::Files), QStringList{QStringLiteral("other.desktop")});
}

void TestAutostart::entryIsAValidDesktopFile()
{
    const QString validator = QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
    if (validator.isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("desktop-file-validate missing with CI set: installer/deps-debian.sh --test installs it");
        QSKIP("desktop-file-validate not installed (Debian desktop-file-utils)");
    }
    Autostart autostart(QStringLiteral("dev.paas.Paas"), QStringLiteral("/opt/paas build/$v/bin/paas"));
    QVERIFY(autostart.setEnabled(true));
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(validator, {autostart.filePath()});
    QVERIFY(p.waitForFinished(30000));
    const QByteArray out = p.readAll();
    QVERIFY2(p.exitCode() == 0 && !out.contains("error"), out.constData());
}

void TestAutostart::quotesAnExecutableWithSpaces()
{
    QCOMPARE(Autostart::desktopExec({"/usr/bin/paas", "--minimized"}), QStringLiteral("/usr/bin/paas --minimized"));
    QCOMPARE(Autostart::desktopExec({"/opt/my apps/paas", "--minimized"}),
             QStringLiteral("\"/opt/my apps/paas\" --minimized"));
    // Quoting escapes $ as \$, then the string rule doubles that backslash.
    QCOMPARE(Autostart::desktopExec({"/opt/$HOME/100%/paas"}), QStringLiteral("\"/opt/\\\\$HOME/100%%/paas\""));
    Autostart autostart(QStringLiteral("dev.paas.Paas"), QStringLiteral("/opt/my apps/paas"));
    QVERIFY(autostart.content().contains("\nExec=\"/opt/my apps/paas\" --minimized\n"));
}

void TestAutostart::relativeConfigHomeFallsBackToDotConfig()
{
    qputenv("XDG_CONFIG_HOME", "relative/config");
    Autostart autostart(QStringLiteral("dev.paas.Paas"), QStringLiteral("/usr/bin/paas"));
    QCOMPARE(autostart.filePath(), m_dir->path() + "/home/.config/autostart/dev.paas.Paas.desktop");
    QVERIFY(autostart.setEnabled(true));
    QVERIFY(QFile::exists(m_dir->path() + "/home/.config/autostart/dev.paas.Paas.desktop"));
}

void TestAutostart::reportsAnUnwritableConfigHome()
{
    // XDG_CONFIG_HOME is a regular file: the autostart folder cannot exist.
    QFile blocker(m_dir->path() + "/config");
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    Autostart autostart(QStringLiteral("dev.paas.Paas"), QStringLiteral("/usr/bin/paas"));
    QString error;
    QVERIFY(!autostart.setEnabled(true, &error));
    QVERIFY2(error.contains(autostart.filePath()), qPrintable(error));
    QVERIFY(!autostart.isEnabled());
}

QTEST_GUILESS_MAIN(TestAutostart)
#include "tst_autostart.moc"

// `paas --version` and `paas --man-page` on the built binary (PAAS_BIN):
// the version and commit are printed, and paas(1) documents every flag that
// --help lists, so the two cannot drift (both come from app/options.cpp).
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

namespace {
struct Run {
    int exitCode = -1;
    QString out;
};

Run runPaas(const QStringList& args)
{
    QProcess p;
    p.start(qEnvironmentVariable("PAAS_BIN"), args);
    Run r;
    if (!p.waitForFinished(30000))
        return r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    return r;
}

QSet<QString> flags(const QString& text, const QString& pattern)
{
    QSet<QString> out;
    auto it = QRegularExpression(pattern).globalMatch(text);
    while (it.hasNext())
        out.insert(it.next().captured(1));
    return out;
}
}  // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void versionPrintsTheVersionAndCommit();
    void manPageListsEveryFlagOfHelp();
};

void TestCli::versionPrintsTheVersionAndCommit()
{
    const Run r = runPaas({QStringLiteral("--version")});
    QCOMPARE(r.exitCode, 0);
    const QRegularExpression shape(QStringLiteral("^paas [0-9][0-9A-Za-z.+-]*\\ncommit ([0-9a-f]{40}|unknown)\\n$"));
    QVERIFY2(shape.match(r.out).hasMatch(), qPrintable(r.out));
    QCOMPARE(runPaas({QStringLiteral("-v")}).out, r.out);
}

void TestCli::manPageListsEveryFlagOfHelp()
{
    const Run help = runPaas({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    const Run man = runPaas({QStringLiteral("--man-page")});
    QCOMPARE(man.exitCode, 0);
    QVERIFY(man.out.startsWith(QStringLiteral(".TH PAAS 1 ")));
    QVERIFY(!help.out.contains(QStringLiteral("--man-page")));  // hidden: a build tool, not a user option

    // --help: "  --listen <host:port>"; paas(1): ".TP\n\fB\-\-listen\fR".
    const QSet<QString> inHelp = flags(help.out, QStringLiteral("(?:^|\\n)\\s+(?:-\\w, )?--([a-z][a-z-]*)"));
    const QString unescaped = QString(man.out).replace(QStringLiteral("\\-"), QStringLiteral("-"));
    const QSet<QString> inMan = flags(unescaped, QStringLiteral("\\\\fB--([a-z][a-z-]*)\\\\fR"));
    QVERIFY2(inHelp.size() >= 10, qPrintable(help.out));
    for (const QString& flag : inHelp)
        QVERIFY2(inMan.contains(flag), qPrintable(QStringLiteral("--%1 is in --help but not in paas(1)").arg(flag)));
    for (const QString& flag : {QStringLiteral("minimized"), QStringLiteral("version"), QStringLiteral("headless")})
        QVERIFY2(inMan.contains(flag), qPrintable(flag));
    // Every PAAS_* variable of the table has its ENVIRONMENT entry.
    QVERIFY(unescaped.contains(QStringLiteral(".SH ENVIRONMENT")));
    for (const char* env : {"PAAS_LISTEN", "PAAS_API_TOKEN", "PAAS_WORKER_THREADS"})
        QVERIFY2(unescaped.contains(QStringLiteral("\\fB%1\\fR").arg(QLatin1String(env))), env);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"

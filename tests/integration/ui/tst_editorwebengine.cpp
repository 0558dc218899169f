// The spec editor's CodeMirror 6 (web/vendor/, loaded through the import map
// of web/index.html) in Qt's own QtWebEngine, under QT_QPA_PLATFORM=offscreen,
// against a real `paas --headless`: the desktop window runs the web UI in this
// Chromium (Qt 6.4: Chromium 102), which is older than the browsers the web
// e2e tests use, so the vendored modules must parse and run here too.
// PAAS_EDITOR_TEST_URL points the test at an already running server instead.
// Saves editor-webengine.png to PAAS_E2E_DIR (default build/e2e).
#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QSignalSpy>
#include <QTest>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineView>

#include <memory>

#include "tests/support/paasprocess.h"
#include "ui/webengineenvironment.h"

using namespace paas;

namespace {

// Keeps the page's console: a module that fails to parse shows up here.
class ConsolePage : public QWebEnginePage {
public:
    using QWebEnginePage::QWebEnginePage;
    QStringList messages;

protected:
    void javaScriptConsoleMessage(JavaScriptConsoleMessageLevel level, const QString& message, int line,
                                  const QString& source) override
    {
        static const char* kLevels[] = {"info", "warning", "error"};
        messages << QStringLiteral("[%1] %2 (%3:%4)").arg(QLatin1String(kLevels[level]), message, source).arg(line);
    }
};

// Runs a script in the page's main world and waits for its value.
QVariant js(QWebEnginePage* page, const QString& script, int timeoutMs = 15000)
{
    auto result = std::make_shared<std::pair<bool, QVariant>>(false, QVariant());
    page->runJavaScript(script, [result](const QVariant& v) { *result = {true, v}; });
    const QDeadlineTimer deadline(timeoutMs);
    while (!result->first && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return result->second;
}

QString screenshotPath()
{
    const QString dir =
        qEnvironmentVariableIsSet("PAAS_E2E_DIR")
            ? qEnvironmentVariable("PAAS_E2E_DIR")
            : qEnvironmentVariable("PAAS_SOURCE_DIR", QDir::currentPath()) + QStringLiteral("/build/e2e");
    QDir().mkpath(dir);
    return dir + QStringLiteral("/editor-webengine.png");
}

// The text of the editor line that holds the first lint marker ('' if none).
const char* kMarkedLine =
    "(() => { const m = document.querySelector('.cm-editor .cm-lintRange-error');"
    " return m ? m.closest('.cm-line').textContent : ''; })()";

}  // namespace

class TestEditorWebEngine : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void codeMirrorLoads();
    void yamlIsHighlighted();
    void a422IsMarkedOnItsLine();
    void theMarkerFollowsToJsonAndClearsOnEdit();
    void cleanupTestCase();

private:
    QString console() const { return m_page->messages.join(QLatin1Char('\n')); }

    std::unique_ptr<test::PaasProcess> m_paas;
    QString m_url;
    std::unique_ptr<QWebEngineProfile> m_profile;
    ConsolePage* m_page = nullptr;  // owned by m_view
    std::unique_ptr<QWebEngineView> m_view;
    bool m_loaded = false;  // CodeMirror, not the textarea fallback
};

void TestEditorWebEngine::initTestCase()
{
    m_url = qEnvironmentVariable("PAAS_EDITOR_TEST_URL");
    if (m_url.isEmpty()) {
        m_paas = std::make_unique<test::PaasProcess>();
        QVERIFY2(m_paas->start(), m_paas->output().constData());
        m_url = m_paas->url();
    }
    while (m_url.endsWith(QLatin1Char('/')))
        m_url.chop(1);
    m_profile = std::make_unique<QWebEngineProfile>();  // off the record: no disk cache between runs
    m_view = std::make_unique<QWebEngineView>();
    m_page = new ConsolePage(m_profile.get(), m_view.get());
    m_view->setPage(m_page);
    m_view->resize(1100, 800);
    m_view->show();
}

void TestEditorWebEngine::codeMirrorLoads()
{
    QSignalSpy loaded(m_page, &QWebEnginePage::loadFinished);
    m_page->load(QUrl(m_url + QStringLiteral("/#/new")));
    QVERIFY(loaded.wait(60000));
    QVERIFY(loaded.first().at(0).toBool());
    // spec.js sets it once its dynamic import of codeeditor.js settled.
    QTRY_VERIFY2_WITH_TIMEOUT(
        js(m_page, QStringLiteral("typeof window.__paasEditorReady")).toString() == QStringLiteral("boolean"),
        qPrintable(console()), 60000);
    const QString agent = js(m_page, QStringLiteral("navigator.userAgent")).toString();
    qInfo("QtWebEngine user agent: %s", qPrintable(agent));
    const QString error = js(m_page, QStringLiteral("window.__paasEditorError || ''")).toString();
    m_loaded = js(m_page, QStringLiteral("window.__paasEditorReady")).toBool();
    QVERIFY2(m_loaded, qPrintable(QStringLiteral("CodeMirror did not load: %1\nconsole:\n%2").arg(error, console())));
}

void TestEditorWebEngine::yamlIsHighlighted()
{
    if (!m_loaded)
        QSKIP("CodeMirror did not load (see codeMirrorLoads)");
    // The spec gets an invalid port in JSON mode (the editable element takes a
    // textarea-like value, codeeditor.js); YAML mode shows the same spec.
    js(m_page, QStringLiteral("document.querySelector('[role=tab][data-mode=json]').click()"));
    QTRY_VERIFY2_WITH_TIMEOUT(
        js(m_page, QStringLiteral("!!document.querySelector('.cm-editor .cm-content .tok-key')")).toBool(),
        qPrintable(console()), 30000);
    js(m_page, QStringLiteral("(() => { const t = document.querySelector('#spec-text'); const s = JSON.parse(t.value);"
                              " s.name = 'webengine-editor'; s.environments.dev.port = 70000;"
                              " t.value = JSON.stringify(s, null, 2); })()"));
    js(m_page, QStringLiteral("document.querySelector('[role=tab][data-mode=yaml]').click()"));
    QTRY_VERIFY2_WITH_TIMEOUT(
        js(m_page, QStringLiteral("[...document.querySelectorAll('.cm-editor .cm-content .tok-key')]"
                                  ".some((k) => k.textContent === 'apiVersion')"))
            .toBool(),
        qPrintable(console()), 30000);
    QVERIFY(
        js(m_page, QStringLiteral("document.querySelector('#spec-text').classList.contains('cm-content')")).toBool());
    QVERIFY(js(m_page, QStringLiteral("document.querySelector('#spec-text').value"))
                .toString()
                .contains(QStringLiteral("\n    port: 70000\n")));
}

void TestEditorWebEngine::a422IsMarkedOnItsLine()
{
    if (!m_loaded)
        QSKIP("CodeMirror did not load (see codeMirrorLoads)");
    js(m_page, QStringLiteral("document.querySelector('#spec-submit').click()"));
    QTRY_VERIFY2_WITH_TIMEOUT(js(m_page, QLatin1String(kMarkedLine)).toString().contains(QStringLiteral("port: 70000")),
                              qPrintable(console()), 30000);
    QVERIFY(
        js(m_page, QStringLiteral("document.querySelectorAll('.cm-editor .cm-lint-marker-error').length")).toInt() >=
        1);
    QVERIFY(js(m_page, QStringLiteral("document.querySelector('#spec-text-errors').textContent"))
                .toString()
                .contains(QStringLiteral("/spec/environments/dev/port")));
    QTest::qWait(1000);  // Chromium paints asynchronously: let the markers reach the view
    const QImage image = m_view->grab().toImage();
    QVERIFY(image.save(screenshotPath()));
}

void TestEditorWebEngine::theMarkerFollowsToJsonAndClearsOnEdit()
{
    if (!m_loaded)
        QSKIP("CodeMirror did not load (see codeMirrorLoads)");
    js(m_page, QStringLiteral("document.querySelector('[role=tab][data-mode=json]').click()"));
    QTRY_VERIFY2_WITH_TIMEOUT(
        js(m_page, QLatin1String(kMarkedLine)).toString().contains(QStringLiteral("\"port\": 70000")),
        qPrintable(console()), 30000);
    // A real edit (typed into the editor) clears the markers.
    js(m_page, QStringLiteral("(() => { const line = [...document.querySelectorAll('.cm-line')]"
                              ".find((l) => l.textContent.includes('\"port\": 70000'));"
                              " const r = document.createRange(); r.selectNodeContents(line); r.collapse(false);"
                              " const s = getSelection(); s.removeAllRanges(); s.addRange(r);"
                              " document.querySelector('#spec-text').focus(); })()"));
    QTest::qWait(200);
    QTest::keyClick(m_view->focusProxy(), Qt::Key_Backspace);
    QTRY_COMPARE_WITH_TIMEOUT(js(m_page, QLatin1String(kMarkedLine)).toString(), QString(), 30000);
}

void TestEditorWebEngine::cleanupTestCase()
{
    m_view.reset();  // the page before its profile
    m_profile.reset();
    if (m_paas)
        QVERIFY2(m_paas->stop(), m_paas->output().right(3000).constData());
}

int main(int argc, char** argv)
{
    paas::prepareWebEngineEnvironment();
    QApplication app(argc, argv);
    TestEditorWebEngine test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_editorwebengine.moc"

// paas: one process holding the engine, the JetStream backend, the HTTP API
// and (unless --headless) the desktop window and tray icon.
#include "app/apitoken.h"
#include "app/application.h"
#include "app/options.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

#ifdef PAAS_WITH_UI
#include "ui/desktopshell.h"
#include "ui/webengineenvironment.h"
#include "ui/singleinstance.h"

#include <QApplication>
#endif

#include <cstdio>
#include <memory>

namespace {

int fail(const paas::Status& status)
{
    std::fprintf(stderr, "paas: error: %s\n", status.message().c_str());
    return 2;
}

std::unique_ptr<QCoreApplication> makeQtApp(int& argc, char** argv, bool headless)
{
#ifdef PAAS_WITH_UI
    if (!headless) {
        paas::prepareWebEngineEnvironment();
        return std::make_unique<QApplication>(argc, argv);
    }
#endif
    (void)headless;
    return std::make_unique<QCoreApplication>(argc, argv);
}

}  // namespace

int main(int argc, char** argv)
{
    const bool headless = paas::wantsHeadless(argc, argv);
    std::unique_ptr<QCoreApplication> qtApp = makeQtApp(argc, argv, headless);
    QCoreApplication::setApplicationName(QStringLiteral("paas"));
    QCoreApplication::setOrganizationName(QStringLiteral("paas"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PAAS_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("paas — a local developer PaaS"));
    parser.addHelpOption();
    parser.addVersionOption();
    paas::addOptions(parser);
    parser.process(*qtApp);

    paas::Result<paas::Config> config = paas::resolveConfig(parser);
    if (!config)
        return fail(config.status());
    config->headless = headless;
    if (parser.isSet(QStringLiteral("generate-api-token"))) {
        paas::Result<QString> path = paas::generateApiToken(*config);
        if (!path)
            return fail(path.status());
        std::printf("API token written to %s (mode 0600); paas uses it at its next start\n", qPrintable(*path));
        return 0;
    }
    if (paas::Status s = paas::resolveApiToken(*config); !s)
        return fail(s);

#ifdef PAAS_WITH_UI
    std::unique_ptr<paas::SingleInstance> instance;
    if (!headless) {
        instance = std::make_unique<paas::SingleInstance>(
            paas::SingleInstance::serverNameFor(config->artifactsRoot));
        if (instance->activateExisting()) {
            std::puts("paas is already running: activated its window");
            return 0;
        }
        instance->listen();
    }
#endif

    paas::Application app(*config);
    paas::installQuitSignalHandlers();
    if (paas::Status s = app.start(); !s) {
        app.shutdown();
        return fail(s);
    }

#ifdef PAAS_WITH_UI
    std::unique_ptr<paas::DesktopShell> shell;
    if (!headless) {
        shell = std::make_unique<paas::DesktopShell>(QUrl(app.apiUrl()), app.config().artifactsRoot);
        shell->setApiToken(app.config().apiToken);
        QObject::connect(instance.get(), &paas::SingleInstance::activationRequested, shell.get(),
                         &paas::DesktopShell::showWindow);
        QObject::connect(shell.get(), &paas::DesktopShell::quitRequested, qtApp.get(), [] { paas::requestQuit(); });
        shell->show();
    }
#endif

    const int code = qtApp->exec();
#ifdef PAAS_WITH_UI
    shell.reset();
#endif
    app.shutdown();
    return code;
}

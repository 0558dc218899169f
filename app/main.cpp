// paas: one process holding the engine, the JetStream backend, the HTTP API
// and (unless --headless) the desktop window and tray icon.
#include "app/apitoken.h"
#include "app/application.h"
#include "app/options.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

#ifdef PAAS_WITH_UI
#include "ui/desktopmodule.h"

#include <QFileInfo>
#include <QLibrary>

#include <dlfcn.h>
#endif

#include <cstdio>
#include <memory>

namespace {

int fail(const paas::Status& status)
{
    std::fprintf(stderr, "paas: error: %s\n", status.message().c_str());
    return 2;
}

#ifdef PAAS_WITH_UI
// The directory of this executable, found before any Qt application object
// exists (QCoreApplication::applicationDirPath() needs one).
QString executableDir()
{
#ifdef __linux__
    const QString exe = QFileInfo(QStringLiteral("/proc/self/exe")).symLinkTarget();
    if (!exe.isEmpty())
        return QFileInfo(exe).absolutePath();
#endif
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&executableDir), &info) && info.dli_fname)
        return QFileInfo(QString::fromLocal8Bit(info.dli_fname)).absolutePath();
    return QStringLiteral(".");
}

// The desktop shell (ui/desktopmodule.h): bin/paas_desktop beside this
// executable, or PAAS_DESKTOP_MODULE. Only a process that shows a window
// loads it (and with it Qt Widgets and QtWebEngine).
paas::Result<std::unique_ptr<paas::DesktopModule>> loadDesktopModule()
{
    QString path = qEnvironmentVariable("PAAS_DESKTOP_MODULE");
    if (path.isEmpty())
        path = executableDir() + QStringLiteral("/paas_desktop");   // QLibrary adds .so / .dylib
    QLibrary library(path);
    auto entry = reinterpret_cast<paas::DesktopModuleEntry>(library.resolve(paas::kDesktopModuleEntry));
    if (!entry)
        return paas::Status::unavailable("desktop_module_missing",
            "the desktop window's module cannot be loaded (" + library.errorString().toStdString() +
            "); rebuild it with 'make build', or run paas --headless");
    return std::unique_ptr<paas::DesktopModule>(entry());
}
#endif

}  // namespace

int main(int argc, char** argv)
{
    const bool headless = paas::wantsHeadless(argc, argv);
#ifdef PAAS_WITH_UI
    std::unique_ptr<paas::DesktopModule> desktop;
    if (!headless) {
        paas::Result<std::unique_ptr<paas::DesktopModule>> loaded = loadDesktopModule();
        if (!loaded)
            return fail(loaded.status());
        desktop = std::move(loaded.value());
    }
    std::unique_ptr<QCoreApplication> qtApp =
        desktop ? desktop->createApplication(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
#else
    auto qtApp = std::make_unique<QCoreApplication>(argc, argv);
#endif
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
    if (desktop && desktop->activateExisting(config->artifactsRoot)) {
        std::puts("paas is already running: activated its window");
        return 0;
    }
#endif

    paas::Application app(*config);
    paas::installQuitSignalHandlers();
    if (paas::Status s = app.start(); !s) {
        app.shutdown();
        return fail(s);
    }

#ifdef PAAS_WITH_UI
    if (desktop)
        desktop->showShell(QUrl(app.apiUrl()), app.config().artifactsRoot, app.config().apiToken,
                           [] { paas::requestQuit(); });
#endif

    const int code = qtApp->exec();
#ifdef PAAS_WITH_UI
    if (desktop)
        desktop->closeShell();
#endif
    app.shutdown();
    return code;
}

// paas: one process holding the engine, the JetStream backend, the HTTP API
// and (unless --headless) the desktop window and tray icon.
#include "app/apitoken.h"
#include "app/application.h"
#include "app/manpage.h"
#include "app/options.h"
#include "generated/buildinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QStringList>

#ifdef PAAS_WITH_UI
#include "ui/desktopmodule.h"

#include <QFileInfo>
#include <QLibrary>

#include <dlfcn.h>
#endif

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

int fail(const paas::Status& status)
{
    std::fprintf(stderr, "paas: error: %s\n", status.message().c_str());
    return 2;
}

// True for the flags that only print and exit (and --generate-api-token): no
// window, so the desktop module (and QtWebEngine) is never loaded for them.
bool printsOnly(int argc, char** argv)
{
    static const char* const flags[] = {"--man-page", "--version",           "-v", "--help", "-h",
                                        "--help-all", "--generate-api-token"};
    for (int i = 1; i < argc; ++i)
        for (const char* flag : flags)
            if (std::strcmp(argv[i], flag) == 0)
                return true;
    return false;
}

// Parses the command line (exits on --help or a bad flag). True when it only
// printed something and the process should exit 0 (--man-page, --version).
bool parseCommandLine(QCommandLineParser& parser, QCoreApplication& app)
{
    parser.setApplicationDescription(QStringLiteral("paas — a local developer PaaS"));
    parser.addHelpOption();
    parser.addOption(
        QCommandLineOption({QStringLiteral("v"), QStringLiteral("version")},
                           QStringLiteral("Print the version and the commit it was built from, and exit.")));
    QCommandLineOption manPageOption(QStringLiteral("man-page"), QStringLiteral("Print paas(1) (roff) and exit."));
    manPageOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(manPageOption);
    paas::addOptions(parser);
    parser.process(app);
    if (parser.isSet(manPageOption)) {
        std::fputs(qPrintable(paas::manPage(QStringLiteral(PAAS_BUILD_VERSION), QStringLiteral(PAAS_BUILD_COMMIT))),
                   stdout);
        return true;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("paas %s\ncommit %s\n", PAAS_BUILD_VERSION, PAAS_BUILD_COMMIT);
        return true;
    }
    return false;
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

// The desktop shell (ui/desktopmodule.h): PAAS_DESKTOP_MODULE when set;
// otherwise paas_desktop beside this executable (the build tree's bin/, a
// macOS bundle's Contents/MacOS/), then in PAAS_MODULE_RELDIR relative to it
// (installed: /usr/bin/paas -> /usr/lib/<multiarch>/paas/). Only a process
// that shows a window loads it (and with it Qt Widgets and QtWebEngine).
paas::Result<std::unique_ptr<paas::DesktopModule>> loadDesktopModule()
{
    QStringList paths{qEnvironmentVariable("PAAS_DESKTOP_MODULE")};
    if (paths.front().isEmpty()) {
        const QString dir = executableDir();
        paths = {dir + QStringLiteral("/paas_desktop"),  // QLibrary adds .so / .dylib
                 QDir::cleanPath(dir + QStringLiteral("/" PAAS_MODULE_RELDIR "/paas_desktop"))};
    }
    QString errors;
    for (const QString& path : paths) {
        QLibrary library(path);
        if (auto entry = reinterpret_cast<paas::DesktopModuleEntry>(library.resolve(paas::kDesktopModuleEntry)))
            return std::unique_ptr<paas::DesktopModule>(entry());
        errors += (errors.isEmpty() ? QString() : QStringLiteral("; ")) + library.errorString();
    }
    return paas::Status::unavailable(
        "desktop_module_missing", "the desktop window's module cannot be loaded (" + errors.toStdString() +
                                      "); rebuild it with 'make build', reinstall the package, or run paas --headless");
}
#endif

}  // namespace

int main(int argc, char** argv)
{
    const bool headless = paas::wantsHeadless(argc, argv) || printsOnly(argc, argv);
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
    QCoreApplication::setApplicationVersion(QStringLiteral(PAAS_BUILD_VERSION));

    QCommandLineParser parser;
    if (parseCommandLine(parser, *qtApp))
        return 0;

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
        desktop->showShell({QUrl(app.apiUrl()), app.config().artifactsRoot, app.config().apiToken,
                            parser.isSet(QStringLiteral("minimized")), QStringLiteral(PAAS_BUILD_VERSION),
                            QStringLiteral(PAAS_BUILD_COMMIT)},
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

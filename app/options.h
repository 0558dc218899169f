#pragma once
// Options: command-line flags and PAAS_* environment variables -> Config.
// Precedence: flag beats env beats default. A bad value is an error value
// whose message names the flag/variable and the fix.
// Thread affinity: main thread, at startup.
#include "engine/core/config.h"
#include "engine/core/status.h"

#include <QStringList>

#include <vector>

class QCommandLineParser;

namespace paas {

// True when the process should run without a window: --headless, a truthy
// PAAS_HEADLESS, or (on Linux) no display server. Decided before any
// QCoreApplication exists.
bool wantsHeadless(int argc, char** argv);

void addOptions(QCommandLineParser& parser);

// The option table as documentation (flag and env may be empty; an empty
// valueName is a switch): the man page (app/manpage.h) is generated from it,
// so --help and paas(1) cannot drift.
struct OptionDoc {
    QString flag;
    QString env;
    QString valueName;
    QString help;
};
std::vector<OptionDoc> optionDocs();
Result<Config> resolveConfig(const QCommandLineParser& parser);

// The OS-aware default artifacts root of the reference README.
QString defaultArtifactsRoot();

}  // namespace paas

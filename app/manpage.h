#pragma once
// paas(1), generated from the option table the app parses (app/options.h's
// optionDocs()), so the man page and --help cannot drift. `paas --man-page`
// prints it; the build writes build/installer/paas.1.gz from that output
// (installer/CMakeLists.txt) and the Debian package installs it.
// Thread affinity: any.
#include <QString>

namespace paas {

// The roff source of paas(1) for this version and commit.
QString manPage(const QString& version, const QString& commit);

}  // namespace paas

#include "ui/webengineenvironment.h"

#include <QCoreApplication>
#include <QtGlobal>

#include <unistd.h>

namespace paas {

bool prepareWebEngineEnvironment()
{
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    if (::geteuid() != 0)
        return false;
    if (qEnvironmentVariableIsSet("QTWEBENGINE_DISABLE_SANDBOX")) {
        qInfo("paas: running as root; QTWEBENGINE_DISABLE_SANDBOX is already set (%s)",
              qgetenv("QTWEBENGINE_DISABLE_SANDBOX").constData());
        return false;
    }
    qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    qInfo(
        "paas: running as root: disabled the QtWebEngine (Chromium) sandbox, "
        "QTWEBENGINE_DISABLE_SANDBOX=1");
    return true;
}

}  // namespace paas

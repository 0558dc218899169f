#pragma once
// prepareWebEngineEnvironment(): process-wide setup QtWebEngine needs, to be
// called once at the very start of main(), BEFORE QApplication is constructed.
//
//   - When running as root (geteuid() == 0), Chromium refuses to start with
//     its sandbox on: sets QTWEBENGINE_DISABLE_SANDBOX=1 (unless the variable
//     is already set) and logs that it did. Never touched for normal users.
//   - Sets Qt::AA_ShareOpenGLContexts, which QtWebEngine requires to be set
//     before the application object exists.
// Returns true when it disabled the sandbox.
//
// Thread affinity: main thread, before any Qt application object exists.
namespace paas {

bool prepareWebEngineEnvironment();

}  // namespace paas

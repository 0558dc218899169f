// The desktop module's implementation (contract in ui/desktopmodule.h).
#include "ui/desktopmodule.h"

#include "ui/desktopshell.h"
#include "ui/singleinstance.h"
#include "ui/webengineenvironment.h"

#include <QApplication>

namespace paas {

namespace {

class DesktopModuleImpl final : public DesktopModule {
public:
    std::unique_ptr<QCoreApplication> createApplication(int& argc, char** argv) override
    {
        prepareWebEngineEnvironment();
        return std::make_unique<QApplication>(argc, argv);
    }

    bool activateExisting(const QString& artifactsRoot) override
    {
        m_instance = std::make_unique<SingleInstance>(SingleInstance::serverNameFor(artifactsRoot));
        if (m_instance->activateExisting())
            return true;
        m_instance->listen();
        return false;
    }

    void showShell(const ShellOptions& options, std::function<void()> onQuit) override
    {
        m_shell = std::make_unique<DesktopShell>(options.apiUrl, options.artifactsRoot);
        m_shell->setApiToken(options.apiToken);
        m_shell->setBuildInfo(options.version, options.commit);
        if (m_instance)
            QObject::connect(m_instance.get(), &SingleInstance::activationRequested, m_shell.get(),
                             &DesktopShell::showWindow);
        QObject::connect(m_shell.get(), &DesktopShell::quitRequested, m_shell.get(), std::move(onQuit));
        m_shell->show(options.minimized);
    }

    void closeShell() override
    {
        m_shell.reset();
        m_instance.reset();
    }

private:
    std::unique_ptr<SingleInstance> m_instance;
    std::unique_ptr<DesktopShell> m_shell;
};

}  // namespace

}  // namespace paas

extern "C" Q_DECL_EXPORT paas::DesktopModule* paas_desktop_module_v2()
{
    return new paas::DesktopModuleImpl();
}

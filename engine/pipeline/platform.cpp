#include "engine/pipeline/platform.h"

namespace paas {

Platform::Platform(const Config& config, Backend& backend) : m_config(config), m_backend(backend) {}
Platform::~Platform() = default;

Status Platform::start() { return Status::ok(); }
void Platform::stop() {}
void Platform::setApiUrl(const std::string& url) { m_apiUrl = url; }

nlohmann::json Platform::builderInfo() const
{
    return {{"requested", m_config.builderModeRequested.toStdString()},
            {"requested_explicitly", m_config.builderModeExplicit},
            {"effective", "artifact"},
            {"reason", "BuildKit integration not wired yet"}};
}

QString Platform::builderSummaryLine() const
{
    const nlohmann::json info = builderInfo();
    return QStringLiteral("Image builder: requested=%1 (%2) effective=%3 reason=%4")
        .arg(QString::fromStdString(info["requested"]), m_config.builderModeExplicit ? "explicit" : "implicit",
             QString::fromStdString(info["effective"]), QString::fromStdString(info["reason"]));
}

}  // namespace paas

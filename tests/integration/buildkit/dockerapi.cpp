#include "tests/integration/buildkit/dockerapi.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

namespace paas::test {
namespace {

bool run(const QString& program, const QStringList& args, QByteArray* out = nullptr, int timeoutMs = 60000)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs))
        return false;
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

}  // namespace

std::optional<QByteArray> DockerApi::get(const QString& path) const
{
    QByteArray out;
    // -f: non-2xx is a failure.
    if (!run("curl", {"-sf", "--max-time", "60", "--unix-socket", m_socket, "http://localhost" + path}, &out))
        return std::nullopt;
    return out;
}

bool DockerApi::imageExists(const QString& name) const
{
    return get("/images/" + QString::fromUtf8(QUrl::toPercentEncoding(name)) + "/json").has_value();
}

QStringList DockerApi::repoTags() const
{
    QStringList tags;
    const auto body = get("/images/json");
    if (!body)
        return tags;
    const auto list = nlohmann::json::parse(body->toStdString(), nullptr, false);
    if (!list.is_array())
        return tags;
    for (const auto& img : list)
        if (img.contains("RepoTags") && img["RepoTags"].is_array())
            for (const auto& t : img["RepoTags"])
                tags << QString::fromStdString(t.get<std::string>());
    return tags;
}

bool DockerApi::removeImage(const QString& name) const
{
    return run("curl", {"-sf", "-X", "DELETE", "--unix-socket", m_socket,
                        "http://localhost/images/" + QString::fromUtf8(QUrl::toPercentEncoding(name)) + "?force=1"});
}

bool DockerApi::pruneDanglingImages() const
{
    return run("curl", {"-sf", "-X", "POST", "--unix-socket", m_socket,
                        "http://localhost/images/prune?filters=" +
                            QString::fromUtf8(QUrl::toPercentEncoding(R"({"dangling":["true"]})"))});
}

std::map<std::string, LayerFile> DockerApi::imageFiles(const QString& name, QString* error) const
{
    std::map<std::string, LayerFile> files;
    QTemporaryDir tmp;
    const QString saved = tmp.filePath("image.tar");
    const QString encoded = QString::fromUtf8(QUrl::toPercentEncoding(name));
    if (!run("curl", {"-sf", "--unix-socket", m_socket, "-o", saved, "http://localhost/images/" + encoded + "/get"})) {
        *error = "GET /images/" + name + "/get failed";
        return files;
    }
    const QString unpacked = tmp.filePath("save");
    QDir().mkpath(unpacked);
    if (!run("tar", {"-xf", saved, "-C", unpacked})) {
        *error = "could not untar the saved image";
        return files;
    }
    QFile manifestFile(unpacked + "/manifest.json");
    manifestFile.open(QIODevice::ReadOnly);
    const auto manifest = nlohmann::json::parse(manifestFile.readAll().toStdString(), nullptr, false);
    if (!manifest.is_array() || manifest.empty() || !manifest[0].contains("Layers")) {
        *error = "manifest.json has no Layers";
        return files;
    }
    int n = 0;
    for (const auto& layer : manifest[0]["Layers"]) {
        const QString root = tmp.filePath("layer" + QString::number(n++));
        QDir().mkpath(root);
        if (!run("tar", {"-xpf", unpacked + "/" + QString::fromStdString(layer.get<std::string>()), "-C", root})) {
            *error = "could not untar a layer";
            return {};
        }
        QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            const auto perms = QFileInfo(path).permissions();
            unsigned mode = 0;
            mode |= (perms & QFileDevice::ReadOwner) ? 0400 : 0;
            mode |= (perms & QFileDevice::WriteOwner) ? 0200 : 0;
            mode |= (perms & QFileDevice::ExeOwner) ? 0100 : 0;
            mode |= (perms & QFileDevice::ReadGroup) ? 040 : 0;
            mode |= (perms & QFileDevice::WriteGroup) ? 020 : 0;
            mode |= (perms & QFileDevice::ExeGroup) ? 010 : 0;
            mode |= (perms & QFileDevice::ReadOther) ? 04 : 0;
            mode |= (perms & QFileDevice::WriteOther) ? 02 : 0;
            mode |= (perms & QFileDevice::ExeOther) ? 01 : 0;
            files[QDir(root).relativeFilePath(path).toStdString()] = {f.readAll().toStdString(), mode};
        }
    }
    return files;
}

}  // namespace paas::test

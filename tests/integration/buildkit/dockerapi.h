#pragma once
// DockerApi: a tiny test-only view of the Docker Engine API on a Unix socket,
// used to verify what BuildKit exported. It runs `curl --unix-socket` through
// QProcess (GET /images/json, GET /images/<name>/json, GET /images/<name>/get)
// and unpacks `docker save` archives with `tar`. Test code only.
// Thread affinity: any single thread (blocking QProcess calls).
#include <QByteArray>
#include <QString>

#include <map>
#include <optional>
#include <string>

namespace paas::test {

struct LayerFile {
    std::string data;
    unsigned mode = 0;  // permission bits
};

class DockerApi {
public:
    explicit DockerApi(QString socketPath) : m_socket(std::move(socketPath)) {}

    // Body of GET <path>; nullopt unless HTTP 200.
    std::optional<QByteArray> get(const QString& path) const;
    bool imageExists(const QString& name) const;
    // All repo tags listed by GET /images/json.
    QStringList repoTags() const;
    // Every regular file of every layer of the image (later layers win),
    // keyed by path without leading '/'. Empty map on failure (see error).
    std::map<std::string, LayerFile> imageFiles(const QString& name, QString* error) const;
    bool removeImage(const QString& name) const;
    bool pruneDanglingImages() const;  // POST /images/prune (dangling only)

private:
    QString m_socket;
};

}  // namespace paas::test

// Fuzz target: the artifact path resolver (engine/api/artifactpath) behind
// GET /api/projects/{id}/artifacts/{path}, on a real project folder with
// files, a .git folder and symlinks that point inside, outside, into .git,
// at a sibling folder sharing the root's name as a prefix, and in a loop.
//
// Input: the raw (percent-encoded) {path} capture; it is decoded the way the
// Router decodes captures.
// Invariants: a resolved path is a regular file strictly inside the root,
// never inside .git, never outside through a symlink; ".." and absolute
// paths are 400.
#include "engine/api/artifactpath.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <unistd.h>

namespace {

QString g_root;     // canonical project folder
QString g_outside;  // canonical sibling "<root>-evil"

void writeFile(const QString& path, const QByteArray& data)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    FUZZ_CHECK(f.open(QIODevice::WriteOnly));
    f.write(data);
}

void makeTree()
{
    char tmpl[] = "/tmp/paas-fuzz-artifacts-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl) != nullptr);
    const QString base = QFileInfo(QString::fromLocal8Bit(tmpl)).canonicalFilePath();
    g_root = base + "/proj";
    g_outside = base + "/proj-evil";
    writeFile(g_root + "/README.md", "readme");
    writeFile(g_root + "/src/main.go", "package main");
    writeFile(g_root + "/build/out.txt", "out");
    writeFile(g_root + "/.git/config", "[core]");
    writeFile(g_root + "/sub/.git/HEAD", "ref: refs/heads/main");
    writeFile(g_root + "/.gitignore", "*.o");
    writeFile(g_outside + "/secret", "secret");
    const struct {
        const char* target;
        const char* link;
    } links[] = {
        {"README.md", "/link-in"},
        {"/etc/passwd", "/link-out"},
        {"..", "/link-up"},
        {".git/config", "/link-git"},
        {"loop", "/loop"},
        {"src", "/dir-link"},
        {"../proj-evil/secret", "/link-sibling"},
        {"../../proj-evil", "/src/deep-out"},
        {"../.git", "/build/git-dir"},
    };
    for (const auto& l : links)
        FUZZ_CHECK(QFile::link(QString::fromLatin1(l.target), g_root + QString::fromLatin1(l.link)));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    makeTree();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (g_root.isEmpty())
        makeTree();
    const QByteArray raw(reinterpret_cast<const char*>(data), qsizetype(size));
    const QString relative = QUrl::fromPercentEncoding(raw);
    const paas::Status checked = paas::api::checkArtifactPath(relative);
    paas::Result<QString> resolved = paas::api::resolveArtifactPath(g_root, relative);
    if (!checked) {
        FUZZ_CHECK(!resolved && resolved.status().reason() == "invalid_path");
        return 0;
    }
    if (!resolved) {
        FUZZ_CHECK(resolved.status().reason() == "artifact_not_found");
        return 0;
    }
    const QString path = *resolved;
    FUZZ_CHECK(path.startsWith(g_root + "/"));
    FUZZ_CHECK(!path.startsWith(g_outside));
    FUZZ_CHECK(QFileInfo(path).isFile());
    FUZZ_CHECK(QFileInfo(path).canonicalFilePath() == path);
    const QString inside = QDir(g_root).relativeFilePath(path);
    FUZZ_CHECK(!paas::api::isHiddenArtifact(inside));
    FUZZ_CHECK(!inside.startsWith("../") && !inside.contains("/../"));
    return 0;
}

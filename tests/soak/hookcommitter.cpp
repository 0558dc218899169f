#include "tests/soak/hookcommitter.h"

#include <QFile>

namespace paas::soak {

namespace {
const char* const kSubject = "soak: commit";
}

struct HookCommitter::Repo {
    std::string projectId;
    QString path;
    std::unique_ptr<QProcess> git;
    bool busy = false;
};

HookCommitter::HookCommitter(std::map<std::string, QString> repos, const QString& home, int perSecond)
    : m_env(QProcessEnvironment::systemEnvironment())
{
    for (auto& [id, path] : repos) {
        auto r = std::make_unique<Repo>();
        r->projectId = id;
        r->path = path;
        m_repos.push_back(std::move(r));
    }
    // The hooks must find the app through <root>/.paas/api-url, as a user's would.
    for (const char* key : {"PAAS_LOCAL_API_BASE_URL", "PAAS_API_TOKEN", "GIT_DIR", "GIT_WORK_TREE"})
        m_env.remove(key);
    m_env.insert("HOME", home);
    m_env.insert("GIT_CONFIG_NOSYSTEM", "1");
    for (const char* key : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"})
        m_env.insert(key, "Soak Test");
    for (const char* key : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"})
        m_env.insert(key, "soak@example.invalid");
    m_tick.setTimerType(Qt::PreciseTimer);
    m_tick.setInterval(1000 / std::max(1, perSecond));
    connect(&m_tick, &QTimer::timeout, this, [this] { tick(); });
}

HookCommitter::~HookCommitter() = default;

void HookCommitter::start()
{
    m_tick.start();
}

void HookCommitter::stop()
{
    m_tick.stop();
}

bool HookCommitter::idle() const
{
    for (const auto& r : m_repos)
        if (r->busy)
            return false;
    return true;
}

CommitMinute HookCommitter::takeMinute()
{
    const CommitMinute out = m_minute;
    m_minute = CommitMinute{};
    return out;
}

void HookCommitter::tick()
{
    for (size_t i = 0; i < m_repos.size(); ++i) {
        Repo& r = *m_repos[(m_next + i) % m_repos.size()];
        if (!r.busy) {
            m_next = (m_next + i + 1) % m_repos.size();
            commit(r);
            return;
        }
    }
    ++m_minute.skipped;
}

void HookCommitter::commit(Repo& r)
{
    const QByteArray n = QByteArray::number(++m_counter);
    QFile file(r.path + "/soak.txt");
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(n + "\n") < 0) {
        ++m_minute.failures;
        return;
    }
    file.close();
    r.busy = true;
    r.git = std::make_unique<QProcess>();
    r.git->setProcessEnvironment(m_env);
    r.git->setWorkingDirectory(r.path);
    r.git->setProcessChannelMode(QProcess::MergedChannels);
    connect(r.git.get(), &QProcess::finished, this, [this, &r](int code, QProcess::ExitStatus status) {
        r.busy = false;
        if (status == QProcess::NormalExit && code == 0) {
            ++m_minute.commits;
            ++m_total;
        } else {
            ++m_minute.failures;
            if (m_samples.size() < 10)
                m_samples.push_back(r.projectId + ": " + r.git->readAll().left(300).toStdString());
        }
        r.git.release()->deleteLater();
    });
    // `git add` then a commit with the CLI: that runs the installed post-commit hook.
    r.git->start("sh", {"-c", "git add soak.txt && git commit -q -m \"$1\"", "sh", QString(kSubject) + " " + n});
}

std::map<std::string, std::vector<std::string>> HookCommitter::commitsMade() const
{
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& r : m_repos) {
        QProcess git;
        git.setProcessEnvironment(m_env);
        git.setWorkingDirectory(r->path);
        git.start("git", {"log", "--format=%H %s", "main"});
        git.waitForFinished(60000);
        std::vector<std::string>& shas = out[r->projectId];
        for (const QByteArray& line : git.readAllStandardOutput().split('\n'))
            if (line.mid(41).startsWith(kSubject))
                shas.push_back(line.left(40).toStdString());
    }
    return out;
}

}  // namespace paas::soak

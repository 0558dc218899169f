#include "app/options.h"

#include "engine/build/registrycredentials.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

#include <algorithm>
#include <cstring>
#include <functional>

namespace paas {

namespace {

const char* const kAppDirName = "EmbeddedWebApp-HTTPAPI-BackendNATS";

using Apply = std::function<Status(Config&, const QString&)>;

struct OptionSpec {
    const char* flag;       // without leading dashes; empty = env only
    const char* env;        // empty = flag only
    const char* valueName;  // empty = boolean switch
    const char* help;
    Apply apply;
};

bool truthy(const QString& v)
{
    const QString s = v.trimmed().toLower();
    return s == "1" || s == "true" || s == "yes" || s == "on";
}

Status parseBool(const char* name, const QString& v, bool& out)
{
    const QString s = v.trimmed().toLower();
    if (s == "1" || s == "true" || s == "yes" || s == "on" || s == "0" || s == "false" || s == "no" || s == "off") {
        out = truthy(s);
        return Status::ok();
    }
    return Status::invalidArgument("invalid_option",
                                   std::string(name) + "='" + v.toStdString() + "' must be true or false");
}

Status parseInt(const char* name, const QString& v, int min, int max, int& out)
{
    bool ok = false;
    const int n = v.trimmed().toInt(&ok);
    if (!ok || n < min || n > max)
        return Status::invalidArgument("invalid_option", std::string(name) + "='" + v.toStdString() +
                                                             "' must be a number from " + std::to_string(min) + " to " +
                                                             std::to_string(max));
    out = n;
    return Status::ok();
}

Status parseListen(Config& c, const QString& v)
{
    const QUrl url = QUrl::fromUserInput(QStringLiteral("http://") + (v.startsWith(':') ? "127.0.0.1" + v : v));
    const int colon = v.lastIndexOf(':');
    bool ok = false;
    const int port = colon >= 0 ? v.mid(colon + 1).toInt(&ok) : -1;
    if (!url.isValid() || url.host().isEmpty() || !ok || port < 0 || port > 65535)
        return Status::invalidArgument("invalid_listen",
                                       "--listen/PAAS_LISTEN='" + v.toStdString() +
                                           "' must be HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free port)");
    c.listenHost = url.host();
    c.listenPort = static_cast<quint16>(port);
    return Status::ok();
}

Status parseApiToken(Config& c, const QString& v)
{
    const QByteArray token = v.trimmed().toUtf8();
    const bool printable = std::all_of(token.begin(), token.end(), [](char ch) { return ch > ' ' && ch < 127; });
    if (token.size() < 16 || token.size() > 512 || !printable)
        return Status::invalidArgument("invalid_option",
                                       "PAAS_API_TOKEN must be 16 to 512 printable characters "
                                       "without spaces (e.g. `head -c 32 /dev/urandom | base64`)");
    c.apiToken = token;
    return Status::ok();
}

// first-last, at least 3 ports (an environment takes its URL port and two slots).
Status parseRunPorts(Config& c, const QString& v)
{
    const QStringList parts = v.split('-');
    bool okFirst = false, okLast = false;
    const int first = parts.size() == 2 ? parts[0].trimmed().toInt(&okFirst) : 0;
    const int last = parts.size() == 2 ? parts[1].trimmed().toInt(&okLast) : 0;
    if (!okFirst || !okLast || first < 1024 || last > 65535 || last - first < 2)
        return Status::invalidArgument("invalid_option", "PAAS_RUN_PORTS='" + v.toStdString() +
                                                             "' must be FIRST-LAST with 1024 <= FIRST and "
                                                             "FIRST + 2 <= LAST <= 65535, e.g. 41000-41999");
    c.runPortFirst = first;
    c.runPortLast = last;
    return Status::ok();
}

Status parseRole(Config& c, const QString& v)
{
    if (v != "all" && v != "api" && v != "worker")
        return Status::invalidArgument("invalid_option",
                                       "PAAS_ROLE (--role) must be all, api or worker, not '" + v.toStdString() + "'");
    c.role = v;
    return Status::ok();
}

Status parseInstanceId(Config& c, const QString& v)
{
    static const QRegularExpression shape(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"));
    if (!shape.match(v).hasMatch())
        return Status::invalidArgument("invalid_option", "PAAS_INSTANCE_ID='" + v.toStdString() +
                                                             "' must be 1-63 letters, digits, '.', '_' or '-'");
    c.instanceId = v;
    return Status::ok();
}

// host[:port][/path], lowercase, no scheme, no tag: e.g. 127.0.0.1:5000/team.
Status parseImageRegistry(Config& c, const QString& v)
{
    static const QRegularExpression shape(
        QStringLiteral("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$"));
    if (v.size() > 200 || !shape.match(v).hasMatch())
        return Status::invalidArgument(
            "invalid_option",
            "PAAS_IMAGE_REGISTRY='" + v.toStdString() +
                "' must be host[:port][/path] in lowercase without a scheme or tag, e.g. 127.0.0.1:5000/team");
    c.imageRegistry = v;
    return Status::ok();
}

Status parseBuilderMode(Config& c, const QString& v)
{
    const QString mode = v.trimmed().toLower();
    if (mode != "artifact" && mode != "buildkit")
        return Status::invalidArgument(
            "invalid_option", "PAAS_IMAGE_BUILDER_MODE='" + v.toStdString() + "' must be artifact or buildkit");
    c.builderModeRequested = mode;
    c.builderModeExplicit = true;
    return Status::ok();
}

const std::vector<OptionSpec>& optionTable()
{
    static const std::vector<OptionSpec> table = {
        {"listen", "PAAS_LISTEN", "host:port",
         "Address of the HTTP API (default 127.0.0.1:8080; port 0 = any free port).", parseListen},
        {"headless", "PAAS_HEADLESS", "", "Run without a window (servers, CI).",
         [](Config& c, const QString& v) { return parseBool("PAAS_HEADLESS", v, c.headless); }},
        {"artifacts-root", "PAAS_ARTIFACTS_ROOT", "dir", "Root of the per-project artifacts.",
         [](Config& c, const QString& v) {
             c.artifactsRoot = QDir(v).absolutePath();
             return Status::ok();
         }},
        {"nats-store-dir", "PAAS_NATS_STORE_DIR", "dir",
         "JetStream store of the embedded nats-server ('temp' or 'ephemeral': removed on exit).",
         [](Config& c, const QString& v) {
             c.natsStoreEphemeral = v == "temp" || v == "ephemeral";
             if (!c.natsStoreEphemeral)
                 c.natsStoreDir = QDir(v).absolutePath();
             return Status::ok();
         }},
        {"nats-url", "PAAS_NATS_URL", "url", "Join this NATS server/cluster instead of starting a child.",
         [](Config& c, const QString& v) {
             c.natsUrl = v;
             return Status::ok();
         }},
        {"", "PAAS_NATS_REPLICAS", "n",
         "Replicas of every stream and KV bucket paas creates (default 1; 3 on a 3-node cluster).",
         [](Config& c, const QString& v) { return parseInt("PAAS_NATS_REPLICAS", v, 1, 5, c.natsReplicas); }},
        {"role", "PAAS_ROLE", "role",
         "all (default), api (API, SSE and UI; runs no steps) or worker (runs steps; no API, no UI).", parseRole},
        {"", "PAAS_INSTANCE_ID", "id", "This instance's id (default: generated, kept in the state dir).",
         parseInstanceId},
        {"", "PAAS_WORK_ACK_WAIT_MS", "ms",
         "A step whose worker stopped answering is redelivered after this (default 30000).",
         [](Config& c, const QString& v) {
             return parseInt("PAAS_WORK_ACK_WAIT_MS", v, 1000, 3600000, c.workAckWaitMs);
         }},
        {"", "PAAS_LEASE_TTL_MS", "ms",
         "Lease of the recovery and commit watcher singletons: taken over this long after its holder died "
         "(default 10000).",
         [](Config& c, const QString& v) { return parseInt("PAAS_LEASE_TTL_MS", v, 1000, 600000, c.leaseTtlMs); }},
        {"nats-server-bin", "PAAS_NATS_SERVER_BIN", "path", "The nats-server binary to start.",
         [](Config& c, const QString& v) {
             c.natsServerBin = v;
             return Status::ok();
         }},
        {"", "PAAS_NATS_MEMORY_LIMIT_MB", "MiB",
         "Soft memory limit of the nats-server child (its GOMEMLIMIT; 0 = none; default 96).",
         [](Config& c, const QString& v) {
             return parseInt("PAAS_NATS_MEMORY_LIMIT_MB", v, 0, 1048576, c.natsMemoryLimitMiB);
         }},
        {"image-builder-mode", "PAAS_IMAGE_BUILDER_MODE", "mode",
         "artifact or buildkit (default: buildkit, with fallback).", parseBuilderMode},
        {"buildkit-addr", "PAAS_BUILDKIT_ADDR", "addr", "unix://PATH, tcp://HOST:PORT or docker://PATH.",
         [](Config& c, const QString& v) {
             c.buildkitAddr = v;
             return Status::ok();
         }},
        {"build-network", "PAAS_BUILD_NETWORK", "mode",
         "Network of the Dockerfile's RUN steps: default, host or none (a project's build.network wins).",
         [](Config& c, const QString& v) {
             if (v != "default" && v != "host" && v != "none")
                 return Status::invalidArgument(
                     "invalid_option",
                     "PAAS_BUILD_NETWORK must be default, host or none, not '" + v.toStdString() + "'");
             c.buildNetwork = v;
             return Status::ok();
         }},
        {"image-registry", "PAAS_IMAGE_REGISTRY", "host[:port][/path]",
         "Push BuildKit builds to this registry as <registry>/<id>:<commit12> (logins from "
         "$DOCKER_CONFIG/config.json).",
         parseImageRegistry},
        {"", "PAAS_IMAGE_REGISTRY_INSECURE", "bool",
         "The registry speaks plain HTTP (required for a loopback registry).",
         [](Config& c, const QString& v) {
             return parseBool("PAAS_IMAGE_REGISTRY_INSECURE", v, c.imageRegistryInsecure);
         }},
        {"", "PAAS_RUN_NETWORK", "mode",
         "Network of running environments: bridge (publish on 127.0.0.1) or host (default: bridge when the engine has "
         "one).",
         [](Config& c, const QString& v) {
             if (v != "bridge" && v != "host")
                 return Status::invalidArgument(
                     "invalid_option", "PAAS_RUN_NETWORK must be bridge or host, not '" + v.toStdString() + "'");
             c.runNetwork = v;
             return Status::ok();
         }},
        {"", "PAAS_RUN_HEALTH_TIMEOUT_S", "s", "How long a new container has to answer /healthz (default 60).",
         [](Config& c, const QString& v) {
             return parseInt("PAAS_RUN_HEALTH_TIMEOUT_S", v, 1, 3600, c.runHealthTimeoutS);
         }},
        {"", "PAAS_RUN_PORTS", "first-last", "Loopback ports for running environments (default 41000-41999).",
         parseRunPorts},
        {"", "PAAS_LOCAL_API_BASE_URL", "url", "Base URL the git hooks post to.",
         [](Config& c, const QString& v) {
             c.localApiBaseUrl = v;
             return Status::ok();
         }},
        {"", "PAAS_ENABLE_COMMIT_WATCHER", "bool", "Poll source repos for new commits.",
         [](Config& c, const QString& v) {
             return parseBool("PAAS_ENABLE_COMMIT_WATCHER", v, c.commitWatcherEnabled);
         }},
        {"", "PAAS_COMMIT_WATCHER_INTERVAL_MS", "ms", "Commit watcher poll interval.",
         [](Config& c, const QString& v) {
             return parseInt("PAAS_COMMIT_WATCHER_INTERVAL_MS", v, 100, 3600000, c.commitWatcherIntervalMs);
         }},
        {"", "PAAS_SSE_HEARTBEAT_MS", "ms", "SSE heartbeat interval.",
         [](Config& c, const QString& v) {
             return parseInt("PAAS_SSE_HEARTBEAT_MS", v, 50, 3600000, c.sseHeartbeatMs);
         }},
        {"", "PAAS_SSE_MAX_CLIENTS", "n", "Concurrent SSE clients before 503.",
         [](Config& c, const QString& v) { return parseInt("PAAS_SSE_MAX_CLIENTS", v, 1, 100000, c.sseMaxClients); }},
        {"", "PAAS_API_TOKEN", "token",
         "Bearer token every API request must carry; required to listen beyond loopback.", parseApiToken},
        {"minimized", "", "",
         "Start to the tray without opening the window (the autostart entry uses it); clicking the tray icon opens it.",
         [](Config&, const QString&) { return Status::ok(); }},
        {"generate-api-token", "", "",
         "Write a new API token to <artifacts root>/.paas/api-token (mode 0600), print its path, and exit.",
         [](Config&, const QString&) { return Status::ok(); }},
        {"", "PAAS_WORKER_THREADS", "n", "Pipeline worker threads (default: cores, at least 2).",
         [](Config& c, const QString& v) { return parseInt("PAAS_WORKER_THREADS", v, 1, 64, c.workerThreads); }},
    };
    return table;
}

Status checkWritable(const QString& dir, const char* what)
{
    if (!QDir().mkpath(dir))
        return Status::invalidArgument("unwritable_dir", std::string(what) + " '" + dir.toStdString() +
                                                             "' cannot be created; choose a writable directory");
    QFile probe(dir + "/.paas-write-probe");
    if (!probe.open(QIODevice::WriteOnly))
        return Status::invalidArgument("unwritable_dir", std::string(what) + " '" + dir.toStdString() +
                                                             "' is not writable; choose a writable directory");
    probe.close();
    probe.remove();
    return Status::ok();
}

}  // namespace

QString defaultArtifactsRoot()
{
#ifdef Q_OS_MACOS
    const QString base = QDir::homePath() + "/Library/Application Support";
#else
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + "/.local/state";
#endif
    return base + "/" + kAppDirName + "/artifacts";
}

std::vector<OptionDoc> optionDocs()
{
    std::vector<OptionDoc> docs;
    for (const OptionSpec& o : optionTable())
        docs.push_back({QString::fromLatin1(o.flag), QString::fromLatin1(o.env), QString::fromLatin1(o.valueName),
                        QString::fromUtf8(o.help)});
    return docs;
}

bool wantsHeadless(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--headless") == 0)
            return true;
    if (truthy(qEnvironmentVariable("PAAS_HEADLESS")))
        return true;
    for (int i = 1; i < argc; ++i)  // a worker has no API, so no window to show it
        if (std::strcmp(argv[i], "--role=worker") == 0 ||
            (std::strcmp(argv[i], "--role") == 0 && i + 1 < argc && std::strcmp(argv[i + 1], "worker") == 0))
            return true;
    if (qEnvironmentVariable("PAAS_ROLE") == "worker")
        return true;
#if defined(Q_OS_LINUX)
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariable("QT_QPA_PLATFORM") != "offscreen")
        return true;
#endif
    return false;
}

void addOptions(QCommandLineParser& parser)
{
    for (const OptionSpec& o : optionTable()) {
        if (!*o.flag)
            continue;
        const QString help =
            QString::fromLatin1(o.help) + (*o.env ? QStringLiteral(" [env %1]").arg(o.env) : QString());
        if (*o.valueName)
            parser.addOption(QCommandLineOption(QString::fromLatin1(o.flag), help, QString::fromLatin1(o.valueName)));
        else
            parser.addOption(QCommandLineOption(QString::fromLatin1(o.flag), help));
    }
}

Result<Config> resolveConfig(const QCommandLineParser& parser)
{
    Config c;
    for (const OptionSpec& o : optionTable()) {
        QString value;
        bool given = false;
        if (*o.flag && parser.isSet(QString::fromLatin1(o.flag))) {
            value = *o.valueName ? parser.value(QString::fromLatin1(o.flag)) : QStringLiteral("true");
            given = true;
        } else if (*o.env && qEnvironmentVariableIsSet(o.env) && !qEnvironmentVariableIsEmpty(o.env)) {
            value = qEnvironmentVariable(o.env);
            given = true;
        }
        if (given)
            if (Status s = o.apply(c, value); !s)
                return s;
    }
    const bool defaultRoot = c.artifactsRoot.isEmpty();
    if (defaultRoot)
        c.artifactsRoot = defaultArtifactsRoot();
    c.stateDir = defaultRoot ? QFileInfo(c.artifactsRoot).absolutePath() : c.artifactsRoot + "/.paas";
    if (c.natsStoreDir.isEmpty() && !c.natsStoreEphemeral)
        c.natsStoreDir = c.stateDir + "/nats";
    c.dockerConfigPath = QString::fromStdString(RegistryCredentials::defaultConfigPath());
    if (Status s = checkWritable(c.artifactsRoot, "PAAS_ARTIFACTS_ROOT"); !s)
        return s;
    if (c.natsReplicas > 1 && c.natsUrl.isEmpty())
        return Status::invalidArgument("invalid_option",
                                       "PAAS_NATS_REPLICAS=" + std::to_string(c.natsReplicas) +
                                           " needs a cluster of that many nodes: set PAAS_NATS_URL to it (the embedded "
                                           "server is one node)");
    if (c.role != "all" && c.natsUrl.isEmpty())
        return Status::invalidArgument("invalid_option",
                                       "--role " + c.role.toStdString() +
                                           " shares its work with other instances: set PAAS_NATS_URL to the shared "
                                           "NATS cluster (or use --role all with the embedded server)");
    return c;
}

}  // namespace paas

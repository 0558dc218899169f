#include "engine/pipeline/platform.h"

#include "engine/core/fixedpool.h"
#include "engine/core/tsan.h"
#include "engine/git/gitrepository.h"
#include "engine/git/repobootstrapper.h"
#include "engine/model/ids.h"
#include "engine/model/specparser.h"
#include "engine/build/buildkitaddress.h"
#include "engine/pipeline/commitwatcher.h"
#include "engine/pipeline/environmentrunner.h"
#include "engine/pipeline/eventbus.h"
#include "engine/pipeline/imagebuilderpolicy.h"
#include "engine/pipeline/orchestrator.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/stateview.h"
#include "engine/pipeline/steps.h"
#include "engine/pipeline/workerpool.h"
#include "engine/store/backend.h"
#include "engine/store/kvlease.h"

#include <QRegularExpression>
#include <QDeadlineTimer>
#include <QDebug>
#include <QThread>

#include <chrono>
#include <thread>

#include <algorithm>

namespace paas {

namespace {

bool validProjectId(const std::string& id)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$"));
    return re.match(QString::fromStdString(id)).hasMatch();
}

// The Docker engine that runs environments: the one BuildKit builds with
// (docker://), else $DOCKER_HOST (unix://), else the default socket.
std::unique_ptr<EnvironmentRunner> makeRunner(const Config& config, Backend& backend, const ImageBuilderPolicy& builder)
{
    Result<BuildKitEndpoint> ep = parseBuildKitAddress(builder.address());
    const bool dockerBuilds = builder.effective() == "buildkit" && ep && ep->kind == BuildKitEndpoint::Docker;
    std::string socket = "/var/run/docker.sock";
    const QByteArray dockerHost = qgetenv("DOCKER_HOST");
    if (dockerBuilds)
        socket = ep->pathOrHostPort;
    else if (dockerHost.startsWith("unix://"))
        socket = dockerHost.mid(7).toStdString();
    return std::make_unique<EnvironmentRunner>(config, backend, socket, dockerBuilds);
}

}  // namespace

Platform::Platform(const Config& config, Backend& backend)
    : m_config(config),
      m_backend(backend),
      m_builder(std::make_unique<ImageBuilderPolicy>(config)),
      m_starts(std::make_unique<QThreadPool>()),
      m_appends(std::make_unique<QThreadPool>())
{
    startFixedPool(*m_starts, QStringLiteral("paas-starts"), 2);
    // Two per accept in flight (its queue entry and its commit marker); each
    // waits one round trip.
    startFixedPool(*m_appends, QStringLiteral("paas-appends"), 16);
}

Platform::~Platform()
{
    stop();
}

Status Platform::start()
{
    Result<HookTokens> tokens = HookTokens::load(m_config.artifactsRoot);
    if (!tokens)
        return tokens.status();
    m_hookTokens = *tokens;
    m_store = std::make_unique<PipelineStore>(m_backend);
    m_view = std::make_unique<StateView>(m_backend);
    if (Status s = startView(); !s)
        return s;
    m_store->setView(m_view.get());
    m_events = std::make_unique<EventBus>(m_backend.client());
    m_orchestrator = std::make_unique<Orchestrator>(*this, *m_store, *m_events, m_backend.client());
    m_builder->resolve();
    m_runner = makeRunner(m_config, m_backend, *m_builder);
    registerRegistrationSteps(*m_orchestrator);
    registerBuildSteps(*m_orchestrator, *m_builder);
    registerDeliverySteps(*m_orchestrator);
    if (!m_config.runsSteps())  // role api: no steps, no singletons (docs/SCALING.md)
        return Status::ok();
    m_runner->start();
    if (m_backend.embedded())
        if (Status s = m_orchestrator->recover(); !s)
            return s;
    const int threads = m_config.workerThreads > 0 ? m_config.workerThreads : std::max(2, QThread::idealThreadCount());
    m_workers = std::make_unique<WorkerPool>(m_backend.client(), *m_orchestrator, threads, m_config.workAckWaitMs);
    if (Status s = m_workers->start(Orchestrator::allSteps()); !s)
        return s;
    if (!m_backend.embedded()) {  // instances may share the server: one runs each singleton
        startSingletons();
        return Status::ok();
    }
    // A crashed nats-server may lose its last acknowledged writes (a work
    // item, a step result): recovery re-dispatches every queue head, off the
    // main thread, once the client has had time to reconnect.
    QObject::connect(&m_backend, &Backend::childRestarted, &m_backend, [this] {
        std::lock_guard lock(m_recoveryMutex);
        if (m_recovery.joinable())
            m_recovery.join();
        // Ops created from now on may be between their two writes when
        // recovery looks: only older ones count as having lost their entry.
        m_recovery = std::thread([this, restartedAt = nowRfc3339()] {
            std::this_thread::sleep_for(std::chrono::seconds(1));
            if (Status s = m_orchestrator->recover(restartedAt); !s)
                qWarning().noquote() << "recovery after a nats-server restart:" << QString::fromStdString(s.message());
        });
    });
    if (m_config.commitWatcherEnabled) {
        m_watcher = std::make_unique<CommitWatcher>(*this, m_config.commitWatcherIntervalMs);
        m_watcher->start();
    }
    return Status::ok();
}

Status Platform::startView()
{
    // A shared cluster that is electing leaders (a node just died or came
    // back) may time out the watches for a few seconds: wait for it.
    const QDeadlineTimer deadline(m_backend.embedded() ? 0 : 30000);
    for (;;) {
        Status s = m_view->start();
        if (s || s.code() != Status::Code::Unavailable || deadline.hasExpired())
            return s;
        qInfo().noquote() << "the project and op views could not load yet (" << QString::fromStdString(s.message())
                          << "); retrying";
        m_view->stop();
        QThread::msleep(500);
    }
}

void Platform::stop()
{
    m_watcherLease.reset();
    m_recoveryLease.reset();
    stopRecoveryPasses();
    {
        std::lock_guard lock(m_recoveryMutex);
        if (m_recovery.joinable())
            m_recovery.join();
    }
    {
        std::lock_guard lock(m_watcherMutex);
        m_watcher.reset();
    }
    m_appends->waitForDone();
    m_starts->waitForDone();  // each start is a few bounded JetStream calls
    if (m_workers)
        m_workers->stop();
    m_workers.reset();
    if (m_runner)
        m_runner->stop();
    if (m_view)
        m_view->stop();
}

QString Platform::projectDir(const std::string& projectId) const
{
    return m_config.artifactsRoot + "/" + QString::fromStdString(projectId);
}

void Platform::setApiUrl(const std::string& url)
{
    std::lock_guard lock(m_urlMutex);
    m_apiUrl = url;
}

std::string Platform::apiUrl() const
{
    std::lock_guard lock(m_urlMutex);
    return m_apiUrl;
}

nlohmann::json Platform::builderInfo() const
{
    return m_builder->info();
}

QString Platform::builderSummaryLine() const
{
    return QString::fromStdString(m_builder->summaryLine());
}

nlohmann::json Platform::counters() const
{
    return {{"events_published", m_events ? m_events->published() : 0},
            {"steps_handled", m_workers ? m_workers->handled() : 0},
            {"steps_running", m_workers ? m_workers->busy() : 0},
            {"view_projects", m_view ? m_view->projectCount() : 0},
            {"view_ops", m_view ? m_view->opCount() : 0},
            {"view_ops_resident", m_view ? m_view->residentOpCount() : 0}};
}

std::mutex& Platform::lockOf(const std::string& projectId)
{
    return m_projectLocks[std::hash<std::string>{}(projectId) % m_projectLocks.size()];
}

Status Platform::backendWritable() const
{
    if (m_backend.client().responsive())
        return Status::ok();
    return Status::unavailable("backend_unavailable",
                               "the JetStream backend is not answering; nothing was accepted, retry shortly");
}

Result<Submission> Platform::submitRegistration(const RegistrationRequest& req)
{
    if (req.action != "create" && req.action != "update" && req.action != "delete")
        return Status::invalidArgument("invalid_action",
                                       "action '" + req.action + "' is not one of create, update, delete",
                                       {{"/action", "must be create, update or delete"}});
    if (!req.projectId.empty() && !validProjectId(req.projectId))
        return Status::invalidArgument("invalid_project_id",
                                       "project_id must be a DNS-1123 label of at most 40 characters",
                                       {{"/project_id", "must match ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"}});
    if (req.action != "create" && req.projectId.empty())
        return Status::invalidArgument("missing_project_id", "project_id is required for " + req.action,
                                       {{"/project_id", "required"}});
    ProjectSpec spec;
    if (req.action != "delete") {
        if (!req.spec.is_object())
            return Status::invalidArgument("missing_spec", "spec is required for " + req.action,
                                           {{"/spec", "required"}});
        Result<ProjectSpec> parsed = SpecParser::parseSpec(req.spec, "/spec", req.environmentOrder);
        if (!parsed)
            return parsed.status();
        spec = *parsed;
    }
    const std::string id = req.projectId.empty() ? projectIdFromName(spec.name) : req.projectId;
    // Creates are one at a time (the name check and the record creation are
    // one decision); every op takes its project's lock from id to queue, so
    // op ids, created_at and the queue all follow acceptance order.
    std::unique_lock<std::mutex> createLock(m_createMutex, std::defer_lock);
    if (req.action == "create")
        createLock.lock();
    std::lock_guard projectLock(lockOf(id));
    OpRecord op = m_orchestrator->newOp(req.action, id);
    op.trigger = {{"source", req.source}};
    if (req.action != "delete")
        op.params = {{"spec", spec.toJson()}, {"environment_order", spec.environmentNames()}};
    if (req.action != "create") {
        Result<Submission> accepted = enqueue(std::move(op), nullptr);
        if (accepted && req.action == "update" && req.webhookSecret)
            if (Result<ProjectRecord> p = m_store->mutateProject(id,
                                                                 [&](ProjectRecord& rec) -> Status {
                                                                     rec.webhookSecret = *req.webhookSecret;
                                                                     return Status::ok();
                                                                 });
                !p)
                return p.status();
        return accepted;
    }
    if (std::optional<std::string> named = m_view->projectIdNamed(spec.name))
        return Status::conflict("project_exists",
                                "a project named '" + spec.name + "' already exists (id " + *named + ")");
    ProjectRecord project;
    project.id = id;
    project.name = spec.name;
    project.spec = spec.toJson();
    project.environmentOrder = spec.environmentNames();
    project.createdAt = project.updatedAt = op.createdAt;
    project.webhookSecret = req.webhookSecret.value_or("");
    return enqueue(std::move(op), &project);
}

Result<OpRecord> Platform::cancelOp(const std::string& opId)
{
    if (Status s = backendWritable(); !s)
        return s;
    return m_orchestrator->cancel(opId);
}

Status Platform::cancelRefusal(const OpRecord& op)
{
    return Orchestrator::cancelRefusal(op);
}

bool Platform::cancelRequested(const std::string& opId) const
{
    return m_view->cancelRequested(opId);
}

Result<ProjectRecord> Platform::project(const std::string& projectId) const
{
    return m_view->project(projectId);
}

Result<std::shared_ptr<const std::string>> Platform::projectText(const std::string& projectId) const
{
    return m_view->projectText(projectId);
}

Result<std::vector<ProjectRecord>> Platform::projects() const
{
    return m_view->projects();
}

StateView::ProjectPage Platform::projectPage(StateView::ProjectOrder order,
                                             const std::optional<StateView::ProjectCursor>& after, size_t limit,
                                             const StateView::ProjectFilter& keep) const
{
    return m_view->projectPage(order, after, limit, keep);
}

namespace {

bool notResident(const Status& s)
{
    return s.code() == Status::Code::Unavailable && s.reason() == StateView::kNotResident;
}

}  // namespace

Result<OpRecord> Platform::cachedOp(const std::string& opId) const
{
    return m_view->op(opId);
}

std::map<std::string, std::vector<OpRecord>> Platform::unfinishedOps() const
{
    return m_view->unfinishedOps();
}

Result<OpRecord> Platform::op(const std::string& opId) const
{
    Result<OpRecord> op = m_view->op(opId);
    return !op && notResident(op.status()) ? m_store->op(opId) : op;
}

Result<std::vector<std::shared_ptr<const std::string>>> Platform::cachedProjectOpTexts(const std::string& projectId,
                                                                                       int offset, int limit) const
{
    return m_view->projectOpTexts(projectId, offset, limit);
}

Result<std::vector<OpRecord>> Platform::projectOps(const std::string& projectId, int offset, int limit) const
{
    Result<std::vector<OpRecord>> cached = m_view->projectOps(projectId, offset, limit);
    if (cached || !notResident(cached.status()))
        return cached;
    Result<std::vector<std::string>> ids = m_view->projectOpIds(projectId, offset, limit);
    if (!ids)
        return ids.status();
    std::vector<OpRecord> out;
    for (const std::string& id : *ids) {
        Result<OpRecord> one = op(id);
        if (one)
            out.push_back(std::move(*one));
        else if (one.status().code() != Status::Code::NotFound)
            return one.status();
    }
    return out;
}

}  // namespace paas

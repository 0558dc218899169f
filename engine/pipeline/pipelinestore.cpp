#include "engine/pipeline/pipelinestore.h"

#include <QDateTime>
#include <QThread>

#include "engine/model/ids.h"
#include "engine/pipeline/stateview.h"
#include "engine/store/backend.h"
#include "engine/store/natsclient.h"

namespace paas {

namespace {

template <typename Record, typename FromJson>
Result<Record> load(const KvStore& kv, const std::string& key, const char* what, FromJson fromJson)
{
    Result<KvEntry> entry = kv.get(key);
    if (!entry) {
        if (entry.status().code() == Status::Code::NotFound)
            return Status::notFound(std::string(what) + "_not_found",
                                    std::string("unknown ") + what + " '" + key + "'");
        return entry.status();
    }
    nlohmann::json j;
    if (!parseStored(entry->value, j))
        return Status::internal("corrupt_record", std::string("stored ") + what + " '" + key + "' is not valid JSON");
    return fromJson(j);
}

template <typename Record, typename FromJson, typename ToJson>
Result<Record> mutate(KvStore& kv, const std::string& key, const char* what, FromJson fromJson, ToJson toJsonFn,
                      const std::function<Status(Record&)>& mutator, uint64_t& revision)
{
    Record result;
    Result<KvEntry> stored = kv.updateWith(key, [&](const KvEntry* current) -> Result<std::string> {
        if (!current)
            return Status::notFound(std::string(what) + "_not_found",
                                    std::string("unknown ") + what + " '" + key + "'");
        nlohmann::json j;
        if (!parseStored(current->value, j))
            return Status::internal("corrupt_record", std::string("stored ") + what + " is not valid JSON");
        Record record = fromJson(j);
        if (Status s = mutator(record); !s)
            return s;
        result = record;
        return toJsonFn(record).dump();
    });
    if (!stored)
        return stored.status();
    revision = stored->revision;
    return result;
}

// The mutation applied to `seed` (the view's record, held at
// seed.revision) and written by CAS on that revision; nullopt when it must be decided on the
// stored record instead: no seed, the mutator refused the seed (which may be
// stale), or the CAS found a newer revision.
template <typename Record, typename ToJson>
std::optional<Result<Record>> mutateSeeded(KvStore& kv, const std::string& key, const HeldRecord<Record>& seed,
                                           ToJson toJsonFn, const std::function<Status(Record&)>& mutator,
                                           uint64_t& revision)
{
    if (!seed.record || seed.revision == 0)
        return std::nullopt;
    Record record = *seed.record;
    if (!mutator(record))
        return std::nullopt;
    Result<uint64_t> rev = kv.update(key, toJsonFn(record).dump(), seed.revision);
    if (!rev && rev.status().code() == Status::Code::Conflict)
        return std::nullopt;
    if (!rev)
        return Result<Record>(rev.status());
    revision = *rev;
    return Result<Record>(std::move(record));
}

}  // namespace

Result<OpRecord> PipelineStore::op(const std::string& opId) const
{
    return load<OpRecord>(m_backend.ops(), opId, "op", opFromJson);
}

Result<OpRecord> PipelineStore::acceptedOp(const std::string& opId)
{
    for (;;) {
        Result<OpRecord> found = op(opId);
        if (!found && found.status().code() != Status::Code::NotFound)
            return found;
        Result<CommitHold> hold = found ? commitHold(*found) : Result<CommitHold>(CommitHold::Unsettled);
        if (!hold)
            return hold.status();
        if (*hold == CommitHold::Held)
            return found;
        if (*hold == CommitHold::Lost) {  // never answered 202; its acceptor removes it too
            removeOp(opId);
            return Status::notFound("op_not_accepted", "op " + opId + " lost its commit to another op");
        }
        // An acceptor settles its marker within the window plus one call
        // (markCommit waits for another acceptor's op up to the window):
        // an op whose marker is unsettled past twice the window runs; one
        // never written is NotFound once the window has passed.
        const long long made = opIdMillis(opId);
        if (made < 0 || QDateTime::currentMSecsSinceEpoch() - made >= (found ? 2 : 1) * kAcceptWindowMs)
            return found;
        QThread::msleep(5);
    }
}

Result<PipelineStore::CommitHold> PipelineStore::commitHold(const OpRecord& op) const
{
    const std::string commit = op.trigger.is_object() ? op.trigger.value("commit", "") : "";
    if (op.kind != "ci" || op.status != opstatus::kQueued || !op.startedAt.empty() || commit.empty())
        return CommitHold::Held;  // not a webhook's ci op waiting to start: no marker decides it
    Result<KvEntry> marker = m_backend.commits().get(op.projectId + "." + commit);
    if (!marker)
        return marker.status().code() == Status::Code::NotFound ? Result<CommitHold>(CommitHold::Unsettled)
                                                                : Result<CommitHold>(marker.status());
    const std::string holder = claimOpId(marker->value);
    if (holder == op.id)
        return CommitHold::Held;
    Result<OpRecord> other = this->op(holder);
    if (other)
        return CommitHold::Lost;
    return other.status().code() == Status::Code::NotFound ? Result<CommitHold>(CommitHold::Unsettled)
                                                           : Result<CommitHold>(other.status());
}

Status PipelineStore::createOp(const OpRecord& op)
{
    Result<uint64_t> rev = m_backend.ops().create(op.id, toJson(op).dump());
    if (rev && m_view)
        m_view->applyOp(*rev, op);
    return rev.status();
}

Status PipelineStore::removeOp(const std::string& opId)
{
    Status s = m_backend.ops().remove(opId);
    if (s && m_view)
        m_view->applyRemoved(StateView::Bucket::Ops, opId);
    return s;
}

Result<OpRecord> PipelineStore::mutateOp(const std::string& opId, const std::function<Status(OpRecord&)>& mutator)
{
    uint64_t rev = 0;
    const auto toJsonFn = [](const OpRecord& o) { return toJson(o); };
    std::optional<Result<OpRecord>> seeded;
    if (m_view)
        seeded = mutateSeeded<OpRecord>(m_backend.ops(), opId, m_view->heldOp(opId), toJsonFn, mutator, rev);
    Result<OpRecord> op =
        seeded ? std::move(*seeded) : mutate<OpRecord>(m_backend.ops(), opId, "op", opFromJson, toJsonFn, mutator, rev);
    if (op && m_view)
        m_view->applyOp(rev, *op);
    return op;
}

Result<ProjectRecord> PipelineStore::project(const std::string& projectId) const
{
    return load<ProjectRecord>(m_backend.projects(), projectId, "project", projectFromJson);
}

Result<std::vector<ProjectRecord>> PipelineStore::projects() const
{
    Result<std::vector<std::string>> keys = m_backend.projects().keys();
    if (!keys)
        return keys.status();
    std::vector<ProjectRecord> out;
    for (const std::string& key : *keys) {
        Result<ProjectRecord> p = project(key);
        if (p)
            out.push_back(std::move(p.value()));
    }
    return out;
}

Status PipelineStore::createProject(const ProjectRecord& project)
{
    Result<uint64_t> rev = m_backend.projects().create(project.id, toJson(project, true).dump());
    if (rev && m_view)
        m_view->applyProject(*rev, project);
    if (!rev && rev.status().code() == Status::Code::Conflict)
        return Status::conflict("project_exists", "project '" + project.id + "' already exists");
    return rev.status();
}

Status PipelineStore::removeProject(const std::string& projectId)
{
    Status s = m_backend.projects().remove(projectId);
    if (s && m_view)
        m_view->applyRemoved(StateView::Bucket::Projects, projectId);
    return s;
}

Result<ProjectRecord> PipelineStore::mutateProject(const std::string& projectId,
                                                   const std::function<Status(ProjectRecord&)>& mutator)
{
    uint64_t rev = 0;
    const auto toJsonFn = [](const ProjectRecord& p) { return toJson(p, true); };
    std::optional<Result<ProjectRecord>> seeded;
    if (m_view)
        seeded = mutateSeeded<ProjectRecord>(m_backend.projects(), projectId, m_view->heldProject(projectId), toJsonFn,
                                             mutator, rev);
    Result<ProjectRecord> project = seeded ? std::move(*seeded)
                                           : mutate<ProjectRecord>(m_backend.projects(), projectId, "project",
                                                                   projectFromJson, toJsonFn, mutator, rev);
    if (project && m_view)
        m_view->applyProject(rev, *project);
    return project;
}

Result<bool> PipelineStore::markCommit(const std::string& projectId, const std::string& commit, const std::string& opId)
{
    const std::string key = projectId + "." + commit;
    const std::string value = nlohmann::json{{"op_id", opId}, {"at", nowRfc3339()}}.dump();
    Result<uint64_t> rev = m_backend.commits().create(key, value);
    if (rev)
        return true;
    if (rev.status().code() != Status::Code::Conflict)
        return rev.status();
    Result<KvEntry> marker = m_backend.commits().get(key);
    if (!marker)  // released meanwhile: one more try
        return marker.status().code() == Status::Code::NotFound ? markCommit(projectId, commit, opId)
                                                                : Result<bool>(marker.status());
    if (claimOpId(marker->value) == opId)
        return true;  // our own create, which timed out yet landed
    Result<std::optional<OpRecord>> held = heldOpOf(marker->value);
    if (!held)
        return held.status();
    if (*held)
        return false;
    Result<uint64_t> taken = m_backend.commits().update(key, value, marker->revision);
    if (taken)
        return true;
    return taken.status().code() == Status::Code::Conflict ? Result<bool>(false) : Result<bool>(taken.status());
}

std::string PipelineStore::claimOpId(const std::string& claimJson)
{
    const nlohmann::json j = nlohmann::json::parse(claimJson, nullptr, false);
    return j.is_object() && j["op_id"].is_string() ? j["op_id"].get<std::string>() : "";
}

Result<std::optional<OpRecord>> PipelineStore::heldOpOf(const std::string& claimJson) const
{
    const nlohmann::json j = nlohmann::json::parse(claimJson, nullptr, false);
    const std::string opId = claimOpId(claimJson);
    const QDateTime at =
        QDateTime::fromString(QString::fromStdString(j.is_object() ? j.value("at", "") : ""), Qt::ISODateWithMs);
    for (;;) {
        Result<OpRecord> found = op(opId);
        if (found)
            return std::optional<OpRecord>(std::move(*found));
        if (found.status().code() != Status::Code::NotFound)
            return found.status();
        if (!at.isValid() || at.msecsTo(QDateTime::currentDateTimeUtc()) >= kAcceptWindowMs)
            return std::optional<OpRecord>();
        QThread::msleep(20);
    }
}

Result<bool> PipelineStore::holdsCommit(const std::string& projectId, const std::string& commit,
                                        const std::string& opId) const
{
    Result<KvEntry> marker = m_backend.commits().get(projectId + "." + commit);
    if (!marker)
        return marker.status().code() == Status::Code::NotFound ? Result<bool>(false) : Result<bool>(marker.status());
    return claimOpId(marker->value) == opId;
}

Status PipelineStore::releaseCommit(const std::string& projectId, const std::string& commit, const std::string& opId)
{
    const std::string key = projectId + "." + commit;
    Result<KvEntry> marker = m_backend.commits().get(key);
    if (!marker)
        return marker.status().code() == Status::Code::NotFound ? Status::ok() : marker.status();
    if (claimOpId(marker->value) != opId)
        return Status::ok();  // another op holds it
    return m_backend.commits().remove(key);
}

Result<std::vector<ReleaseRef>> PipelineStore::releases(const std::string& projectId, const std::string& env) const
{
    Result<KvEntry> entry = m_backend.releases().get(projectId + "." + env);
    std::vector<ReleaseRef> out;
    if (!entry)
        return entry.status().code() == Status::Code::NotFound ? Result<std::vector<ReleaseRef>>(out) : entry.status();
    nlohmann::json j = nlohmann::json::parse(entry->value, nullptr, false);
    if (j.is_array())
        for (const auto& r : j)
            out.push_back(releaseFromJson(r));
    return out;
}

Result<ReleaseRef> PipelineStore::appendRelease(const std::string& projectId, const std::string& env,
                                                ReleaseRef release)
{
    ReleaseRef stored;
    Result<KvEntry> r =
        m_backend.releases().updateWith(projectId + "." + env, [&](const KvEntry* current) -> Result<std::string> {
            nlohmann::json list =
                current ? nlohmann::json::parse(current->value, nullptr, false) : nlohmann::json::array();
            if (!list.is_array())
                list = nlohmann::json::array();
            for (const auto& existing : list)  // idempotent for a redelivered step
                if (existing.value("op_id", "") == release.opId) {
                    stored = releaseFromJson(existing);
                    return list.dump();
                }
            stored = release;
            stored.number = static_cast<int>(list.size()) + 1;
            list.push_back(toJson(stored));
            return list.dump();
        });
    if (!r)
        return r.status();
    return stored;
}

namespace {

std::string queueSubject(const std::string& projectId)
{
    return std::string(names::kQueueSubjectPrefix) + projectId;
}

}  // namespace

Result<uint64_t> PipelineStore::enqueue(const std::string& projectId, const std::string& opId)
{
    return m_backend.client().publish(queueSubject(projectId), opId);
}

Result<std::optional<QueueEntry>> PipelineStore::queueEntry(const std::string& projectId, uint64_t fromSeq) const
{
    NatsClient& client = m_backend.client();
    Result<StreamMessage> msg = fromSeq <= 1
                                    ? client.headMessage(names::kQueueStream, queueSubject(projectId))
                                    : client.nextMessage(names::kQueueStream, queueSubject(projectId), fromSeq);
    if (!msg) {
        if (msg.status().code() == Status::Code::NotFound)
            return std::optional<QueueEntry>();
        return msg.status();
    }
    return std::optional<QueueEntry>(QueueEntry{msg->seq, std::move(msg->data)});
}

Status PipelineStore::dequeue(uint64_t seq)
{
    return m_backend.client().deleteMessage(names::kQueueStream, seq);
}

Status PipelineStore::clearQueue(const std::string& projectId)
{
    return m_backend.client().purgeSubject(names::kQueueStream, queueSubject(projectId));
}

}  // namespace paas

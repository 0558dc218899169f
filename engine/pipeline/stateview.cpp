#include "engine/pipeline/stateview.h"

#include "engine/store/backend.h"

#include <condition_variable>
#include <mutex>

namespace paas {

namespace {

// Counts the watches that have delivered their initial values.
struct CatchUp {
    std::mutex mutex;
    std::condition_variable cv;
    int done = 0;
    void mark()
    {
        std::lock_guard lock(mutex);
        ++done;
        cv.notify_all();
    }
};

}  // namespace

StateView::StateView(Backend& backend) : m_backend(backend) {}

StateView::~StateView()
{
    stop();
}

Status StateView::start(int timeoutMs)
{
    auto catchUp = std::make_shared<CatchUp>();
    struct Watched {
        KvStore& kv;
        Bucket bucket;
        std::unique_ptr<KvWatch>& handle;
    };
    const Watched watched[] = {{m_backend.projects(), Bucket::Projects, m_projectWatch},
                               {m_backend.ops(), Bucket::Ops, m_opWatch}};
    for (const Watched& w : watched) {
        const Bucket bucket = w.bucket;
        auto handle = w.kv.watch(
            ">", [this, bucket](const KvEntry& e) { onEntry(bucket, e); }, [catchUp] { catchUp->mark(); });
        if (!handle)
            return handle.status();
        w.handle = std::move(*handle);
    }
    std::unique_lock lock(catchUp->mutex);
    if (!catchUp->cv.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return catchUp->done >= 2; }))
        return Status::unavailable(
            "backend_unavailable",
            "the project and op views did not load from JetStream within " + std::to_string(timeoutMs) + " ms");
    return Status::ok();
}

void StateView::stop()
{
    m_projectWatch.reset();
    m_opWatch.reset();
}

void StateView::onEntry(Bucket bucket, const KvEntry& entry)
{
    if (entry.deleted) {
        std::unique_lock lock(m_mutex);
        const uint64_t rev = entry.revision;
        if (bucket == Bucket::Projects) {
            ProjectSlot& slot = m_projects[entry.key];
            if (!newer(slot.revision, rev))
                return;
            setProjectLocked(slot, rev, nullptr);
            evictProjectLocked(entry.key);
        } else {
            OpSlot& slot = m_ops[entry.key];
            if (!newer(slot.revision, rev))
                return;
            removeOpLocked(slot, entry.key, rev);
        }
        return;
    }
    nlohmann::json j;
    if (!parseStored(entry.value, j))
        return;  // a corrupt record is reported by the writers' CAS reads, not here
    if (bucket == Bucket::Projects)
        applyProject(entry.revision, projectFromJson(j));
    else
        applyOp(entry.revision, opFromJson(j));
}

void StateView::removeOpLocked(OpSlot& slot, const std::string& id, uint64_t revision)
{
    if (slot.record && !slot.record->terminal()) {
        const std::string projectId = slot.projectId;
        trackUnfinishedLocked(projectId, id, true, false);
    }
    if (slot.live()) {
        auto it = m_opsByProject.find(slot.projectId);
        if (it != m_opsByProject.end()) {
            it->second.erase(id);
            if (it->second.empty())
                m_opsByProject.erase(it);
        }
        --m_liveOps;
        m_residentOps -= slot.record ? 1 : 0;
    }
    slot = OpSlot{};
    slot.revision = revision;
}

void StateView::evictIfOld(const std::string& projectId, const std::string& id)
{
    const std::set<std::string>& ids = m_opsByProject[projectId];
    if (ids.size() <= kResidentOps)
        return;
    auto boundary = ids.rbegin();
    std::advance(boundary, kResidentOps - 1);  // the oldest resident id
    if (!(id < *boundary))
        return;
    evictLocked(m_ops[id]);
}

void StateView::evictLocked(OpSlot& slot)
{
    if (!slot.record || !slot.record->terminal())
        return;
    slot.record.reset();
    slot.text.reset();
    slot.evicted = true;
    --m_residentOps;
}

bool StateView::projectDeleted(const std::string& projectId) const
{
    auto it = m_projects.find(projectId);
    return it != m_projects.end() && !it->second.record;  // a tombstone, not merely not loaded yet
}

void StateView::evictProjectLocked(const std::string& projectId)
{
    auto ids = m_opsByProject.find(projectId);
    if (ids == m_opsByProject.end())
        return;
    for (const std::string& id : ids->second)
        evictLocked(m_ops[id]);
}

void StateView::applyOp(uint64_t revision, const OpRecord& op)
{
    auto record = std::make_shared<const OpRecord>(op);
    auto text = std::make_shared<const std::string>(toApiJson(op).dump());
    std::unique_lock lock(m_mutex);
    OpSlot& slot = m_ops[op.id];
    if (!newer(slot.revision, revision))
        return;
    const bool fresh = !slot.live();
    const bool wasUnfinished = slot.record && !slot.record->terminal();
    if (fresh) {
        m_opsByProject[op.projectId].insert(op.id);
        ++m_liveOps;
    }
    m_residentOps += slot.record ? 0 : 1;
    slot.revision = revision;
    slot.record = std::move(record);
    slot.text = std::move(text);
    slot.evicted = false;
    slot.projectId = op.projectId;
    slot.createdAt = op.createdAt;
    trackUnfinishedLocked(op.projectId, op.id, wasUnfinished, !op.terminal());
    if (projectDeleted(op.projectId))
        evictLocked(m_ops[op.id]);
    evictIfOld(op.projectId, op.id);
    if (fresh) {  // the op that just left the window
        const std::set<std::string>& ids = m_opsByProject[op.projectId];
        if (ids.size() > kResidentOps)
            evictIfOld(op.projectId, *std::next(ids.rbegin(), kResidentOps));
    }
}

void StateView::applyProject(uint64_t revision, const ProjectRecord& project)
{
    std::unique_lock lock(m_mutex);
    ProjectSlot& slot = m_projects[project.id];
    if (!newer(slot.revision, revision))
        return;
    std::shared_ptr<const ProjectRecord> record = withQueueLocked(project);
    auto text = std::make_shared<const std::string>(toJson(*record).dump());
    setProjectLocked(slot, revision, std::move(record), std::move(text));
    slot.legacyQueue = !project.queue.empty();
}

std::shared_ptr<const ProjectRecord> StateView::withQueueLocked(const ProjectRecord& record) const
{
    auto copy = std::make_shared<ProjectRecord>(record);
    copy->queue.clear();
    copy->queueLength = 0;
    if (auto it = m_unfinished.find(record.id); it != m_unfinished.end()) {
        copy->queueLength = it->second.size();
        for (auto id = it->second.begin(); id != it->second.end() && copy->queue.size() < ProjectRecord::kQueueShown;
             ++id)
            copy->queue.push_back(*id);
    }
    return copy;
}

void StateView::refreshQueueLocked(const std::string& projectId)
{
    auto it = m_projects.find(projectId);
    if (it == m_projects.end() || !it->second.record)
        return;
    std::shared_ptr<const ProjectRecord> record = withQueueLocked(*it->second.record);
    it->second.text = std::make_shared<const std::string>(toJson(*record).dump());
    it->second.record = std::move(record);  // same name and update time: the indexes hold
}

void StateView::trackUnfinishedLocked(const std::string& projectId, const std::string& id, bool wasUnfinished,
                                      bool isUnfinished)
{
    if (wasUnfinished == isUnfinished)
        return;
    if (isUnfinished) {
        m_unfinished[projectId].insert(id);
    } else if (auto it = m_unfinished.find(projectId); it != m_unfinished.end()) {
        it->second.erase(id);
        if (it->second.empty())
            m_unfinished.erase(it);
    }
    refreshQueueLocked(projectId);
}

void StateView::setProjectLocked(ProjectSlot& slot, uint64_t revision, std::shared_ptr<const ProjectRecord> record,
                                 std::shared_ptr<const std::string> text)
{
    if (const ProjectRecord* old = slot.record.get()) {
        m_byName.erase({old->name, old->id});
        m_byUpdated.erase({old->updatedAt, old->id});
        --m_liveProjects;
    }
    if (record) {
        m_byName.insert({record->name, record->id});
        m_byUpdated.insert({record->updatedAt, record->id});
        ++m_liveProjects;
    }
    slot.revision = revision;
    slot.record = std::move(record);
    slot.text = std::move(text);
}

void StateView::applyRemoved(Bucket bucket, const std::string& key)
{
    // The delete's own revision is unknown here but is above the one held:
    // one past it hides every older put, and the watch's delete marker (at
    // the real revision) or a later re-create still supersede it.
    std::unique_lock lock(m_mutex);
    if (bucket == Bucket::Projects) {
        auto it = m_projects.find(key);
        if (it == m_projects.end() || !it->second.record)
            return;
        setProjectLocked(it->second, it->second.revision + 1, nullptr);
        evictProjectLocked(key);
    } else {
        auto it = m_ops.find(key);
        if (it == m_ops.end() || !it->second.live())
            return;
        removeOpLocked(it->second, key, it->second.revision + 1);
    }
}

Result<ProjectRecord> StateView::project(const std::string& projectId) const
{
    std::shared_lock lock(m_mutex);
    auto it = m_projects.find(projectId);
    if (it == m_projects.end() || !it->second.record)
        return Status::notFound("project_not_found", "unknown project '" + projectId + "'");
    return *it->second.record;
}

Result<std::shared_ptr<const std::string>> StateView::projectText(const std::string& projectId) const
{
    std::shared_lock lock(m_mutex);
    auto it = m_projects.find(projectId);
    if (it == m_projects.end() || !it->second.record)
        return Status::notFound("project_not_found", "unknown project '" + projectId + "'");
    return it->second.text;
}

std::vector<ProjectRecord> StateView::projects() const
{
    std::shared_lock lock(m_mutex);
    std::vector<ProjectRecord> out;
    out.reserve(m_liveProjects);
    for (const auto& [id, slot] : m_projects)
        if (slot.record)
            out.push_back(*slot.record);
    return out;
}

std::optional<std::string> StateView::projectIdNamed(const std::string& name) const
{
    std::shared_lock lock(m_mutex);
    auto it = m_byName.lower_bound({name, std::string()});
    if (it != m_byName.end() && it->first == name)
        return it->second;
    return std::nullopt;
}

template <typename Index>
void StateView::collectPage(const Index& index, const std::optional<ProjectCursor>& after, size_t limit,
                            const ProjectFilter& keep, ProjectPage& page) const
{
    const IndexKey* last = nullptr;
    auto it = after ? index.upper_bound({after->key, after->id}) : index.begin();
    for (; it != index.end(); ++it) {
        auto slot = m_projects.find(it->second);
        if (slot == m_projects.end() || !slot->second.record)
            continue;  // cannot happen: the indexes follow the slots
        if (keep && !keep(*slot->second.record))
            continue;
        if (limit > 0 && page.items.size() == limit) {
            page.next = ProjectCursor{last->first, last->second};
            return;
        }
        page.items.push_back(slot->second.record);
        page.texts.push_back(slot->second.text);
        last = &*it;
    }
}

StateView::ProjectPage StateView::projectPage(ProjectOrder order, const std::optional<ProjectCursor>& after,
                                              size_t limit, const ProjectFilter& keep) const
{
    std::shared_lock lock(m_mutex);
    ProjectPage page;
    page.total = m_liveProjects;
    page.items.reserve(limit > 0 ? limit : m_liveProjects);
    page.texts.reserve(page.items.capacity());
    if (order == ProjectOrder::Name)
        collectPage(m_byName, after, limit, keep, page);
    else
        collectPage(m_byUpdated, after, limit, keep, page);
    return page;
}

Result<OpRecord> StateView::op(const std::string& opId) const
{
    std::shared_lock lock(m_mutex);
    auto it = m_ops.find(opId);
    if (it == m_ops.end() || !it->second.live())
        return Status::notFound("op_not_found", "unknown op '" + opId + "'");
    if (!it->second.record)
        return Status::unavailable(kNotResident, "op '" + opId + "' is not held in memory");
    return *it->second.record;
}

HeldRecord<OpRecord> StateView::heldOp(const std::string& opId) const
{
    std::shared_lock lock(m_mutex);
    auto it = m_ops.find(opId);
    if (it == m_ops.end() || !it->second.record)
        return {};
    return {it->second.revision, it->second.record};
}

HeldRecord<ProjectRecord> StateView::heldProject(const std::string& projectId) const
{
    std::shared_ptr<const ProjectRecord> shown;
    uint64_t revision = 0;
    {
        std::shared_lock lock(m_mutex);
        auto it = m_projects.find(projectId);
        if (it == m_projects.end() || !it->second.record || it->second.legacyQueue)
            return {};
        shown = it->second.record;
        revision = it->second.revision;
    }
    auto stored = std::make_shared<ProjectRecord>(*shown);
    stored->queue.clear();  // the view's, not the record's
    stored->queueLength = 0;
    return {revision, std::move(stored)};
}

std::vector<OpRecord> StateView::unfinishedOps(const std::string& projectId) const
{
    std::shared_lock lock(m_mutex);
    std::vector<OpRecord> out;
    if (auto it = m_unfinished.find(projectId); it != m_unfinished.end())
        for (const std::string& id : it->second)
            if (auto op = m_ops.find(id); op != m_ops.end() && op->second.record)
                out.push_back(*op->second.record);
    return out;
}

std::map<std::string, std::vector<OpRecord>> StateView::unfinishedOps() const
{
    std::shared_lock lock(m_mutex);
    std::map<std::string, std::vector<OpRecord>> out;
    for (const auto& [projectId, ids] : m_unfinished)
        for (const std::string& id : ids)
            if (auto op = m_ops.find(id); op != m_ops.end() && op->second.record)
                out[projectId].push_back(*op->second.record);
    return out;
}

bool StateView::cancelRequested(const std::string& opId) const
{
    std::shared_lock lock(m_mutex);
    auto it = m_ops.find(opId);
    return it != m_ops.end() && it->second.record && it->second.record->cancelRequested();
}

template <typename Visit>
Status StateView::visitPage(const std::string& projectId, int offset, int limit, Visit visit) const
{
    auto project = m_projects.find(projectId);
    if (project == m_projects.end() || !project->second.record)
        return Status::notFound("project_not_found", "unknown project '" + projectId + "'");
    auto ops = m_opsByProject.find(projectId);
    if (ops == m_opsByProject.end())
        return Status::ok();
    const std::string& since = project->second.record->createdAt;
    int skipped = 0, taken = 0;
    for (auto it = ops->second.rbegin(); it != ops->second.rend() && taken < limit; ++it) {
        const OpSlot& slot = m_ops.at(*it);
        if (slot.createdAt < since)
            break;  // an op of an earlier project under the same id
        if (skipped++ < offset)
            continue;
        if (Status s = visit(*it, slot); !s)
            return s;
        ++taken;
    }
    return Status::ok();
}

Result<std::vector<OpRecord>> StateView::projectOps(const std::string& projectId, int offset, int limit) const
{
    std::shared_lock lock(m_mutex);
    std::vector<OpRecord> out;
    Status s = visitPage(projectId, offset, limit, [&](const std::string& id, const OpSlot& slot) -> Status {
        if (!slot.record)
            return Status::unavailable(kNotResident, "op '" + id + "' is not held in memory");
        out.push_back(*slot.record);
        return Status::ok();
    });
    if (!s)
        return s;
    return out;
}

Result<std::vector<std::shared_ptr<const std::string>>> StateView::projectOpTexts(const std::string& projectId,
                                                                                  int offset, int limit) const
{
    std::shared_lock lock(m_mutex);
    std::vector<std::shared_ptr<const std::string>> out;
    Status s = visitPage(projectId, offset, limit, [&](const std::string& id, const OpSlot& slot) -> Status {
        if (!slot.text)
            return Status::unavailable(kNotResident, "op '" + id + "' is not held in memory");
        out.push_back(slot.text);
        return Status::ok();
    });
    if (!s)
        return s;
    return out;
}

Result<std::vector<std::string>> StateView::projectOpIds(const std::string& projectId, int offset, int limit) const
{
    std::shared_lock lock(m_mutex);
    std::vector<std::string> out;
    Status s = visitPage(projectId, offset, limit, [&](const std::string& id, const OpSlot&) {
        out.push_back(id);
        return Status::ok();
    });
    if (!s)
        return s;
    return out;
}

size_t StateView::projectCount() const
{
    std::shared_lock lock(m_mutex);
    return m_liveProjects;
}

size_t StateView::opCount() const
{
    std::shared_lock lock(m_mutex);
    return m_liveOps;
}

size_t StateView::residentOpCount() const
{
    std::shared_lock lock(m_mutex);
    return m_residentOps;
}

}  // namespace paas

#pragma once
// StateView: the in-memory read model of projects and ops, kept current from
// JetStream, so that an API read never waits on NATS.
//
// Contract:
//  - start() opens a KV watch on paas_projects and one on paas_ops and
//    returns once both have delivered every value stored at that moment
//    (bounded by timeoutMs: "backend_unavailable" past it). Later updates
//    arrive on the watch threads, from this instance and from any other
//    instance sharing the JetStream store: the view comes from the store.
//  - applyOp()/applyProject()/applyRemoved() take a write this process has
//    just had acknowledged, with its KV revision, so a writer reads its own
//    writes at once, before the watch echoes them.
//  - Every entry, from a watch or an apply, is kept only when its revision is
//    newer than the one held for its key, so arrival order does not matter
//    and the view converges on the store's latest state.
//  - Memory is bounded per project, not by history: the newest kResidentOps
//    ops of each live project, and every unfinished op, are held in full; an
//    older finished op, or any finished op of a deleted project, keeps only
//    its id, project and created_at (~100 bytes).
//    op() and projectOps() answer Unavailable "op_not_resident" when they
//    would need one of those: the caller reads it from the store instead.
//  - Projects are also indexed by name and by update time, so a page of the
//    project list costs O(log n + limit) (projectPage()), and a name lookup
//    O(log n).
//  - Each project's unfinished ops are indexed too: a project read carries
//    the first ProjectRecord::kQueueShown of them as `queue`, with their
//    count (queue_length), kept current as ops start and end (the queue
//    itself is in JetStream: pipelinestore.h).
//  - Reads copy out of the view under a shared lock; their cost does not
//    depend on NATS. Ops are indexed per project by id (op ids are
//    time-ordered, and in acceptance order within a project), so one page of
//    a project's ops costs O(offset + limit). A project's ops are those
//    created since the project was (re)created.
// Thread affinity: thread-safe.
#include "engine/core/status.h"
#include "engine/pipeline/records.h"

#include <atomic>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace paas {

class Backend;
class KvWatch;
struct KvEntry;

// A record as the view holds it, with the KV revision it was stored at.
template <typename Record>
struct HeldRecord {
    uint64_t revision = 0;
    std::shared_ptr<const Record> record;  // null: not held in full
};

class StateView {
public:
    explicit StateView(Backend& backend);
    ~StateView();
    StateView(const StateView&) = delete;
    StateView& operator=(const StateView&) = delete;

    Status start(int timeoutMs = 30000);
    void stop();

    void applyOp(uint64_t revision, const OpRecord& op);
    void applyProject(uint64_t revision, const ProjectRecord& project);
    enum class Bucket { Projects, Ops };
    void applyRemoved(Bucket bucket, const std::string& key);

    Result<ProjectRecord> project(const std::string& projectId) const;
    // The project as its API JSON text (toJson(record).dump()), serialized
    // once per change on the writer's thread: a read only shares it.
    Result<std::shared_ptr<const std::string>> projectText(const std::string& projectId) const;
    std::vector<ProjectRecord> projects() const;
    std::optional<std::string> projectIdNamed(const std::string& name) const;

    // The project list, in pages. Order: by name (then id), or by the newest
    // update first (then id). A cursor is the (key, id) of the last item of
    // the previous page: paging stays stable while projects come and go.
    enum class ProjectOrder { Name, Updated };
    struct ProjectCursor {
        std::string key, id;
    };
    struct ProjectPage {
        std::vector<std::shared_ptr<const ProjectRecord>> items;
        std::vector<std::shared_ptr<const std::string>> texts;  // items[i] as API JSON text
        std::optional<ProjectCursor> next;                      // set when more items may follow
        size_t total = 0;                                       // live projects, before `keep`
    };
    using ProjectFilter = std::function<bool(const ProjectRecord&)>;
    // limit 0: every item. `keep` (optional) filters; it runs under the lock.
    ProjectPage projectPage(ProjectOrder order, const std::optional<ProjectCursor>& after, size_t limit,
                            const ProjectFilter& keep = {}) const;
    static constexpr size_t kResidentOps = 50;
    static constexpr const char* kNotResident = "op_not_resident";

    Result<OpRecord> op(const std::string& opId) const;
    // The op, or the project as stored (without the queue the view fills
    // in), at the revision held: the base of a writer's optimistic CAS
    // (pipelinestore.h). Empty when not held in full, or when the stored
    // project record still carries a legacy queue.
    HeldRecord<OpRecord> heldOp(const std::string& opId) const;
    HeldRecord<ProjectRecord> heldProject(const std::string& projectId) const;
    // Newest first; NotFound for an unknown project.
    Result<std::vector<OpRecord>> projectOps(const std::string& projectId, int offset, int limit) const;
    // The same page as API JSON texts (toApiJson(op).dump()), serialized
    // once per change on the writer's thread: a page only shares them.
    Result<std::vector<std::shared_ptr<const std::string>>> projectOpTexts(const std::string& projectId, int offset,
                                                                           int limit) const;
    // The ids of that page (for a caller that loads non-resident ops itself).
    Result<std::vector<std::string>> projectOpIds(const std::string& projectId, int offset, int limit) const;

    // A project's unfinished ops in acceptance order (resident by contract).
    std::vector<OpRecord> unfinishedOps(const std::string& projectId) const;
    // Every unfinished op, by project.
    std::map<std::string, std::vector<OpRecord>> unfinishedOps() const;

    // Whether the op is held, unfinished, with its cancel requested. O(1).
    bool cancelRequested(const std::string& opId) const;

    size_t projectCount() const;
    size_t opCount() const;
    size_t residentOpCount() const;

private:
    struct ProjectSlot {
        uint64_t revision = 0;
        std::shared_ptr<const ProjectRecord> record;  // null: deleted at `revision`
        std::shared_ptr<const std::string> text;      // toJson(*record).dump(), made off the API thread
        bool legacyQueue = false;                     // the stored record carries a queue (migrated at recovery)
    };
    struct OpSlot {
        uint64_t revision = 0;
        std::shared_ptr<const OpRecord> record;   // null: deleted, or evicted
        std::shared_ptr<const std::string> text;  // toApiJson(*record).dump() while record is held
        bool evicted = false;                     // finished, outside the resident window
        std::string projectId, createdAt;
        bool live() const { return record || evicted; }
    };

    void onEntry(Bucket bucket, const KvEntry& entry);
    // Keeps the name and update-time indexes in step with a project slot.
    void setProjectLocked(ProjectSlot& slot, uint64_t revision, std::shared_ptr<const ProjectRecord> record,
                          std::shared_ptr<const std::string> text = {});
    template <typename Index>
    void collectPage(const Index& index, const std::optional<ProjectCursor>& after, size_t limit,
                     const ProjectFilter& keep, ProjectPage& page) const;
    bool newer(uint64_t held, uint64_t incoming) const { return incoming > held; }
    void removeOpLocked(OpSlot& slot, const std::string& id, uint64_t revision);
    // Evicts `id` if it is finished and older than the project's newest
    // kResidentOps ops (O(kResidentOps)).
    void evictIfOld(const std::string& projectId, const std::string& id);
    void evictLocked(OpSlot& slot);
    // A project known to be deleted: its finished ops leave memory.
    bool projectDeleted(const std::string& projectId) const;
    void evictProjectLocked(const std::string& projectId);
    // Keeps m_unfinished in step with one op's change, and the project's
    // queue (record and text) with it.
    void trackUnfinishedLocked(const std::string& projectId, const std::string& id, bool wasUnfinished,
                               bool isUnfinished);
    // The project as the API shows it: the record with its queue filled.
    std::shared_ptr<const ProjectRecord> withQueueLocked(const ProjectRecord& record) const;
    void refreshQueueLocked(const std::string& projectId);
    template <typename Visit>
    Status visitPage(const std::string& projectId, int offset, int limit, Visit visit) const;

    Backend& m_backend;
    mutable std::shared_mutex m_mutex;
    std::unordered_map<std::string, ProjectSlot> m_projects;
    std::unordered_map<std::string, OpSlot> m_ops;
    std::unordered_map<std::string, std::set<std::string>> m_opsByProject;  // op ids: time-ordered
    std::unordered_map<std::string, std::set<std::string>> m_unfinished;    // the same, unfinished ops only
    using IndexKey = std::pair<std::string, std::string>;                   // (name or updated_at, project id)
    std::set<IndexKey> m_byName;
    std::set<IndexKey, std::greater<IndexKey>> m_byUpdated;  // newest first
    size_t m_liveProjects = 0, m_liveOps = 0, m_residentOps = 0;
    std::unique_ptr<KvWatch> m_projectWatch, m_opWatch;
};

}  // namespace paas

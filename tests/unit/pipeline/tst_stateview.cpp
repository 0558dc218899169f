// StateView without a server: the revision rule, read-your-writes, the
// per-project resident window and paging. start() (the KV watches) is covered
// by the integration tests; here writes are applied as the watches and the
// PipelineStore would apply them.
#include "engine/core/config.h"
#include "engine/pipeline/stateview.h"
#include "engine/store/backend.h"

#include <QtTest>

#include <algorithm>
#include <cstdio>

using namespace paas;

namespace {

OpRecord makeOp(const std::string& project, int n, const std::string& status = opstatus::kCompleted)
{
    char id[32];
    std::snprintf(id, sizeof id, "op-%013d-aaaaaaaa", 1000 + n);
    OpRecord op;
    op.id = id;
    op.kind = "ci";
    op.projectId = project;
    op.status = status;
    char at[40];
    std::snprintf(at, sizeof at, "2026-11-30T10:%02d:%02d.000Z", n / 60, n % 60);
    op.createdAt = at;
    return op;
}

ProjectRecord makeProject(const std::string& id, const std::string& createdAt = "2026-11-30T00:00:00.000Z")
{
    ProjectRecord p;
    p.id = id;
    p.name = id;
    p.createdAt = createdAt;
    return p;
}

}  // namespace

class TestStateView : public QObject {
    Q_OBJECT

    Config m_config;
    Backend m_backend{m_config};

private slots:
    // Pages by name and by update time walk every live project exactly once,
    // in order, across renames, updates and deletes between pages.
    void projectPagesAreStableAcrossChanges()
    {
        StateView view(m_backend);
        uint64_t rev = 0;
        for (int n = 0; n < 25; ++n) {
            char name[16];
            std::snprintf(name, sizeof name, "p%02d", n);
            ProjectRecord p = makeProject(name);
            p.updatedAt = "2026-11-30T00:00:" + std::string(name + 1) + ".000Z";
            view.applyProject(++rev, p);
        }
        using Order = StateView::ProjectOrder;
        StateView::ProjectPage first = view.projectPage(Order::Name, std::nullopt, 10);
        QCOMPARE(first.items.size(), size_t(10));
        QCOMPARE(first.total, size_t(25));
        QCOMPARE(first.items.front()->name, std::string("p00"));
        QVERIFY(first.next.has_value());
        QCOMPARE(first.next->id, std::string("p09"));
        // Between pages: p05 (already listed) and p15 (not yet) go away;
        // p12 is updated in place.
        view.applyRemoved(StateView::Bucket::Projects, "p05");
        view.applyRemoved(StateView::Bucket::Projects, "p15");
        ProjectRecord p12 = *view.project("p12");
        p12.updatedAt = "2026-11-30T23:00:00.000Z";
        view.applyProject(++rev, p12);
        std::vector<std::string> seen;
        for (const auto& p : first.items)
            seen.push_back(p->id);
        std::optional<StateView::ProjectCursor> after = first.next;
        while (after) {
            StateView::ProjectPage page = view.projectPage(Order::Name, after, 10);
            for (const auto& p : page.items)
                seen.push_back(p->id);
            after = page.next;
        }
        QCOMPARE(seen.size(), size_t(24));  // 25, minus p15; p05 was listed before it went
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QVERIFY(std::find(seen.begin(), seen.end(), "p15") == seen.end());
        // Newest update first; the filter runs before the limit.
        StateView::ProjectPage recent = view.projectPage(Order::Updated, std::nullopt, 3);
        QCOMPARE(recent.items.front()->id, std::string("p12"));
        QCOMPARE(recent.items.back()->id, std::string("p23"));
        StateView::ProjectPage odd = view.projectPage(
            Order::Name, std::nullopt, 0, [](const ProjectRecord& p) { return (p.name.back() - '0') % 2 == 1; });
        QCOMPARE(odd.items.size(), size_t(10));  // p01 .. p23 odd, minus p05 and p15
        QVERIFY(!odd.next);
        QCOMPARE(view.projectIdNamed("p12").value_or(""), std::string("p12"));
        QVERIFY(!view.projectIdNamed("p15"));
        QVERIFY(!view.projectIdNamed("p1"));
    }

    void newestRevisionWinsWhateverTheOrder()
    {
        StateView view(m_backend);
        ProjectRecord p = makeProject("web");
        p.status = "ready";
        view.applyProject(7, p);
        p.status = "registering";
        view.applyProject(5, p);  // an older echo of the watch
        QCOMPARE(view.project("web")->status, std::string("ready"));
        view.applyRemoved(StateView::Bucket::Projects, "web");
        QVERIFY(!view.project("web"));
        p.status = "stale";
        view.applyProject(8, p);  // a put the delete (at >= 8) superseded
        QVERIFY(!view.project("web"));
        p.status = "again";
        view.applyProject(12, p);  // re-created after the delete
        QCOMPARE(view.project("web")->status, std::string("again"));
        QCOMPARE(view.projectCount(), size_t(1));
        QCOMPARE(view.projectIdNamed("web").value_or(""), std::string("web"));
    }

    void finishedOpsOutsideTheWindowAreEvicted()
    {
        StateView view(m_backend);
        view.applyProject(1, makeProject("big"));
        const int total = 250;
        uint64_t rev = 10;
        OpRecord unfinished = makeOp("big", 5, opstatus::kRunning);
        for (int n = 0; n < total; ++n)
            view.applyOp(++rev, n == 5 ? unfinished : makeOp("big", n));
        QCOMPARE(view.opCount(), size_t(total));
        QCOMPARE(view.residentOpCount(), StateView::kResidentOps + 1);  // the window + the unfinished one
        QVERIFY(view.op(makeOp("big", 249).id));
        QVERIFY(view.op(unfinished.id));
        Result<OpRecord> old = view.op(makeOp("big", 0).id);
        QVERIFY(!old);
        QCOMPARE(old.status().reason(), std::string(StateView::kNotResident));
        QCOMPARE(view.op("op-unknown").status().code(), Status::Code::NotFound);

        // The unfinished op ends: now it leaves memory too.
        unfinished.status = opstatus::kFailed;
        view.applyOp(++rev, unfinished);
        QCOMPARE(view.residentOpCount(), StateView::kResidentOps);

        Result<std::vector<OpRecord>> first = view.projectOps("big", 0, 50);
        QVERIFY(first);
        QCOMPARE(first->size(), size_t(50));
        QCOMPARE(first->front().id, makeOp("big", 249).id);  // newest first
        QCOMPARE(first->back().id, makeOp("big", 200).id);
        Result<std::vector<OpRecord>> deep = view.projectOps("big", 120, 50);
        QCOMPARE(deep.status().reason(), std::string(StateView::kNotResident));
        Result<std::vector<std::string>> ids = view.projectOpIds("big", 120, 50);
        QVERIFY(ids);
        QCOMPARE(ids->size(), size_t(50));
        QCOMPARE(ids->front(), makeOp("big", 129).id);
        QCOMPARE(view.projectOpIds("big", 240, 50)->size(), size_t(10));
    }

    // A page of op texts is the resident ops' API JSON, as serialized when
    // each op last changed.
    void opTextsFollowEachChange()
    {
        StateView view(m_backend);
        view.applyProject(1, makeProject("t"));
        uint64_t rev = 10;
        OpRecord running = makeOp("t", 1, opstatus::kRunning);
        view.applyOp(++rev, makeOp("t", 0));
        view.applyOp(++rev, running);
        running.status = opstatus::kCompleted;
        view.applyOp(++rev, running);
        auto texts = view.projectOpTexts("t", 0, 10);
        Result<std::vector<OpRecord>> ops = view.projectOps("t", 0, 10);
        QVERIFY(texts && ops);
        QCOMPARE(texts->size(), size_t(2));
        for (size_t i = 0; i < ops->size(); ++i)
            QCOMPARE(*(*texts)[i], toApiJson((*ops)[i]).dump());
        QVERIFY((*texts)[0]->find("\"status\":\"completed\"") != std::string::npos);
        QCOMPARE(view.projectOpTexts("nope", 0, 10).status().code(), Status::Code::NotFound);
    }

    // The project shows its unfinished ops (the head of its queue, in
    // acceptance order) and their count, kept current as ops start and end.
    void theProjectShowsItsUnfinishedOps()
    {
        StateView view(m_backend);
        uint64_t rev = 10;
        view.applyOp(++rev, makeOp("q", 1, opstatus::kQueued));  // before the project arrives
        view.applyProject(1, makeProject("q"));
        for (int n = 2; n <= 150; ++n)
            view.applyOp(++rev, makeOp("q", n, n == 2 ? opstatus::kRunning : opstatus::kQueued));
        Result<ProjectRecord> p = view.project("q");
        QVERIFY(p);
        QCOMPARE(p->queueLength, size_t(150));
        QCOMPARE(p->queue.size(), ProjectRecord::kQueueShown);
        QCOMPARE(p->queue.front(), makeOp("q", 1).id);
        QCOMPARE(p->queue.back(), makeOp("q", 100).id);
        const nlohmann::json shown = nlohmann::json::parse(**view.projectText("q"));
        QCOMPARE(shown.value("queue_length", 0), 150);
        QCOMPARE(shown["queue"].size(), ProjectRecord::kQueueShown);
        QCOMPARE(view.unfinishedOps("q").size(), size_t(150));
        view.applyOp(++rev, makeOp("q", 1, opstatus::kCompleted));
        view.applyOp(++rev, makeOp("q", 2, opstatus::kCancelled));
        p = view.project("q");
        QCOMPARE(p->queueLength, size_t(148));
        QCOMPARE(p->queue.front(), makeOp("q", 3).id);
        view.applyRemoved(StateView::Bucket::Ops, makeOp("q", 3).id);
        QCOMPARE(view.project("q")->queueLength, size_t(147));
        QCOMPARE(view.unfinishedOps().at("q").size(), size_t(147));
        // A stored record's own queue (an older version's) is not shown.
        ProjectRecord legacy = makeProject("q");
        legacy.queue = {"op-legacy"};
        view.applyProject(2, legacy);
        QCOMPARE(view.project("q")->queue.front(), makeOp("q", 4).id);
    }

    void aRecreatedProjectStartsWithoutTheOldOps()
    {
        StateView view(m_backend);
        view.applyProject(1, makeProject("phoenix"));
        view.applyOp(2, makeOp("phoenix", 1));
        view.applyOp(3, makeOp("phoenix", 2));
        view.applyRemoved(StateView::Bucket::Projects, "phoenix");
        QCOMPARE(view.projectOps("phoenix", 0, 10).status().code(), Status::Code::NotFound);
        OpRecord create = makeOp("phoenix", 3);
        view.applyProject(5, makeProject("phoenix", create.createdAt));
        view.applyOp(6, create);
        Result<std::vector<OpRecord>> ops = view.projectOps("phoenix", 0, 10);
        QVERIFY(ops);
        QCOMPARE(ops->size(), size_t(1));
        QCOMPARE(ops->front().id, create.id);
    }

    void aDeletedProjectsFinishedOpsLeaveMemory()
    {
        StateView view(m_backend);
        view.applyProject(1, makeProject("gone"));
        view.applyOp(2, makeOp("gone", 1));
        OpRecord running = makeOp("gone", 2, opstatus::kRunning);
        view.applyOp(3, running);
        QCOMPARE(view.residentOpCount(), size_t(2));
        view.applyRemoved(StateView::Bucket::Projects, "gone");
        QCOMPARE(view.residentOpCount(), size_t(1));  // the unfinished op stays until it ends
        running.status = opstatus::kFailed;
        view.applyOp(4, running);
        QCOMPARE(view.residentOpCount(), size_t(0));
        QCOMPARE(view.opCount(), size_t(2));
        QCOMPARE(view.op(running.id).status().reason(), std::string(StateView::kNotResident));
    }

    void removedOpsLeaveTheIndex()
    {
        StateView view(m_backend);
        view.applyProject(1, makeProject("p"));
        const OpRecord op = makeOp("p", 1, opstatus::kQueued);
        view.applyOp(2, op);
        view.applyRemoved(StateView::Bucket::Ops, op.id);
        QCOMPARE(view.opCount(), size_t(0));
        QCOMPARE(view.residentOpCount(), size_t(0));
        QCOMPARE(view.projectOps("p", 0, 10)->size(), size_t(0));
        view.applyOp(2, op);  // the watch's stale echo of the create
        QCOMPARE(view.opCount(), size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestStateView)
#include "tst_stateview.moc"

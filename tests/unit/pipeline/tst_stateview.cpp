// StateView without a server: the revision rule, read-your-writes, the
// per-project resident window and paging. start() (the KV watches) is covered
// by the integration tests; here writes are applied as the watches and the
// PipelineStore would apply them.
#include "engine/core/config.h"
#include "engine/pipeline/stateview.h"
#include "engine/store/backend.h"

#include <QtTest>

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
    void newestRevisionWinsWhateverTheOrder()
    {
        StateView view(m_backend);
        ProjectRecord p = makeProject("web");
        p.status = "ready";
        view.applyProject(7, p);
        p.status = "registering";
        view.applyProject(5, p);   // an older echo of the watch
        QCOMPARE(view.project("web")->status, std::string("ready"));
        view.applyRemoved(StateView::Bucket::Projects, "web");
        QVERIFY(!view.project("web"));
        p.status = "stale";
        view.applyProject(8, p);   // a put the delete (at >= 8) superseded
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
        QCOMPARE(view.residentOpCount(), StateView::kResidentOps + 1);   // the window + the unfinished one
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
        QCOMPARE(first->front().id, makeOp("big", 249).id);   // newest first
        QCOMPARE(first->back().id, makeOp("big", 200).id);
        Result<std::vector<OpRecord>> deep = view.projectOps("big", 120, 50);
        QCOMPARE(deep.status().reason(), std::string(StateView::kNotResident));
        Result<std::vector<std::string>> ids = view.projectOpIds("big", 120, 50);
        QVERIFY(ids);
        QCOMPARE(ids->size(), size_t(50));
        QCOMPARE(ids->front(), makeOp("big", 129).id);
        QCOMPARE(view.projectOpIds("big", 240, 50)->size(), size_t(10));
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
        QCOMPARE(view.residentOpCount(), size_t(1));   // the unfinished op stays until it ends
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
        view.applyOp(2, op);   // the watch's stale echo of the create
        QCOMPARE(view.opCount(), size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestStateView)
#include "tst_stateview.moc"

// PipelineStore's writes against a real nats-server child: the optimistic
// CAS on the view's copy (one round trip) and its fallback when that copy is
// stale, refused, or raced by another writer. Nothing may be lost.
#include "engine/model/ids.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/stateview.h"
#include "engine/store/backend.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <thread>

using namespace paas;

namespace {

OpRecord makeOp(const std::string& id)
{
    OpRecord op;
    op.id = id;
    op.kind = "ci";
    op.projectId = "p";
    op.status = opstatus::kRunning;
    op.createdAt = "2026-12-01T00:00:00.000Z";
    op.params = {{"n", 0}};
    return op;
}

Status bump(OpRecord& o)
{
    o.params["n"] = o.params.value("n", 0) + 1;
    return Status::ok();
}

int storedN(const PipelineStore& store, const std::string& id)
{
    return store.op(id)->params.value("n", -1);
}

}  // namespace

class TestPipelineStore : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Config m_config;
    std::unique_ptr<Backend> m_backend;

private slots:
    void initTestCase()
    {
        m_config.artifactsRoot = m_dir.path() + "/artifacts";
        m_config.natsStoreDir = m_dir.path() + "/nats";
        m_backend = std::make_unique<Backend>(m_config);
        QVERIFY2(m_backend->start().isOk(), "backend starts");
    }

    // A write on the view's current copy is one CAS at the held revision,
    // and the view then holds the new revision.
    void aWriteOnTheHeldCopyLands()
    {
        StateView view(*m_backend);
        PipelineStore store(*m_backend);
        store.setView(&view);
        QVERIFY(store.createOp(makeOp("op-held")).isOk());
        const uint64_t before = view.heldOp("op-held").revision;
        QVERIFY(before > 0);
        QVERIFY(store.mutateOp("op-held", bump));
        QVERIFY(store.mutateOp("op-held", bump));
        QCOMPARE(storedN(store, "op-held"), 2);
        QCOMPARE(m_backend->ops().get("op-held")->revision, view.heldOp("op-held").revision);
        QVERIFY(view.heldOp("op-held").revision > before);
    }

    // Another writer moved the record on behind this view's back: the CAS on
    // the stale copy fails, the store reads the stored record and applies
    // the mutator to that, so the other writer's change is kept.
    void aStaleCopyFallsBackToTheStoredRecord()
    {
        StateView view(*m_backend);
        PipelineStore store(*m_backend);
        store.setView(&view);
        PipelineStore other(*m_backend);  // no view: this view never hears of its writes
        QVERIFY(store.createOp(makeOp("op-stale")).isOk());
        QVERIFY(other.mutateOp("op-stale", bump));
        QVERIFY(other.mutateOp("op-stale", bump));
        QCOMPARE(view.heldOp("op-stale").record->params.value("n", -1), 0);
        Result<OpRecord> r = store.mutateOp("op-stale", bump);
        QVERIFY(r);
        QCOMPARE(r->params.value("n", -1), 3);
        QCOMPARE(storedN(store, "op-stale"), 3);
        QCOMPARE(view.heldOp("op-stale").record->params.value("n", -1), 3);
    }

    // A mutator that refuses the view's copy is asked again with the stored
    // record: a stale copy never makes a decision.
    void aRefusalOfTheCopyIsDecidedOnTheStoredRecord()
    {
        StateView view(*m_backend);
        PipelineStore store(*m_backend);
        store.setView(&view);
        PipelineStore other(*m_backend);
        QVERIFY(store.createOp(makeOp("op-refused")).isOk());
        QVERIFY(other.mutateOp("op-refused", bump));
        int calls = 0;
        Result<OpRecord> r = store.mutateOp("op-refused", [&](OpRecord& o) -> Status {
            ++calls;
            if (o.params.value("n", 0) < 1)
                return Status::conflict("not_yet", "n is still 0");
            o.status = opstatus::kCompleted;
            return Status::ok();
        });
        QVERIFY2(r, r.status().toString().c_str());
        QCOMPARE(calls, 2);
        QCOMPARE(store.op("op-refused")->status, std::string(opstatus::kCompleted));
        // Refused on the stored record too: nothing is written.
        const uint64_t rev = m_backend->ops().get("op-refused")->revision;
        QCOMPARE(store.mutateOp("op-refused", [](OpRecord&) { return Status::conflict("no", "no"); }).status().reason(),
                 std::string("no"));
        QCOMPARE(m_backend->ops().get("op-refused")->revision, rev);
    }

    // Two writers, each with its own view that hears only its own writes,
    // bump one record concurrently: every bump is kept.
    void concurrentWritersLoseNothing()
    {
        StateView viewA(*m_backend), viewB(*m_backend);
        PipelineStore a(*m_backend), b(*m_backend);
        a.setView(&viewA);
        b.setView(&viewB);
        QVERIFY(a.createOp(makeOp("op-race")).isOk());
        viewB.applyOp(viewA.heldOp("op-race").revision, *viewA.heldOp("op-race").record);
        std::atomic<int> failures{0};
        auto writer = [&failures](PipelineStore* s) {
            for (int i = 0; i < 40; ++i)
                if (!s->mutateOp("op-race", bump))
                    ++failures;
        };
        std::thread ta(writer, &a), tb(writer, &b);
        ta.join();
        tb.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(storedN(a, "op-race"), 80);
    }

    // An entry can be read before its op record lands (the acceptor writes
    // both at once): acceptedOp() waits for a young op, and answers
    // NotFound at once for an old one, which no acceptor is still writing.
    void aYoungOpIsWaitedForAnOldOneIsNot()
    {
        PipelineStore store(*m_backend);
        const OpRecord late = makeOp(newOpId());
        std::thread writer([&] {
            QThread::msleep(150);
            store.createOp(late);
        });
        QElapsedTimer t;
        t.start();
        Result<OpRecord> found = store.acceptedOp(late.id);
        writer.join();
        QVERIFY2(found, found.status().toString().c_str());
        QVERIFY(t.elapsed() >= 100);
        t.restart();
        QCOMPARE(store.acceptedOp("op-1700000000000-oldoldol").status().code(), Status::Code::NotFound);
        QCOMPARE(store.acceptedOp("not-an-op").status().code(), Status::Code::NotFound);
        QVERIFY(t.elapsed() < PipelineStore::kAcceptWindowMs);
    }

    // A webhook's ci op is written at once with its commit's marker: it is
    // accepted only once the marker names it. One whose marker names
    // another op that exists lost a duplicate race and is removed; one
    // whose marker is not there yet is waited for while young; an op that
    // started is never held back by a marker.
    void aCiOpIsAcceptedOnlyWithItsCommit()
    {
        PipelineStore store(*m_backend);
        const auto ciOp = [](const std::string& commit) {
            OpRecord op = makeOp(newOpId());
            op.status = opstatus::kQueued;
            op.trigger = {{"source", "webhook"}, {"commit", commit}};
            return op;
        };
        const std::string c1(40, 'a'), c2(40, 'b');
        const OpRecord winner = ciOp(c1), loser = ciOp(c1);
        QVERIFY(store.createOp(winner) && store.createOp(loser));
        QCOMPARE(*store.markCommit("p", c1, winner.id), true);
        QCOMPARE(*store.markCommit("p", c1, loser.id), false);
        QCOMPARE(*store.markCommit("p", c1, winner.id), true);  // its own create, landed after a timeout
        QElapsedTimer t;
        t.start();
        QVERIFY(store.acceptedOp(winner.id));
        const Result<OpRecord> lost = store.acceptedOp(loser.id);
        QCOMPARE(lost.status().reason(), "op_not_accepted");
        QCOMPARE(store.op(loser.id).status().code(), Status::Code::NotFound);
        QVERIFY(t.elapsed() < PipelineStore::kAcceptWindowMs / 2);  // decided, not waited out

        const OpRecord pending = ciOp(c2);
        QVERIFY(store.createOp(pending));
        std::thread marker([&] {
            QThread::msleep(150);
            store.markCommit("p", c2, pending.id);
        });
        t.restart();
        const Result<OpRecord> held = store.acceptedOp(pending.id);
        marker.join();
        QVERIFY2(held, held.status().toString().c_str());
        QVERIFY(t.elapsed() >= 100);

        OpRecord started = ciOp(c1);
        started.status = opstatus::kRunning;
        QVERIFY(store.createOp(started));
        QVERIFY(store.acceptedOp(started.id));
    }

    // Projects take the same path; the view's display queue is never
    // written back, and a stored legacy queue is left to recovery.
    void projectsKeepTheirStoredForm()
    {
        StateView view(*m_backend);
        PipelineStore store(*m_backend);
        store.setView(&view);
        ProjectRecord p;
        p.id = "proj";
        p.name = "proj";
        p.webhookSecret = "s3cret";
        p.createdAt = "2026-12-01T00:00:00.000Z";
        QVERIFY(store.createProject(p).isOk());
        OpRecord queued = makeOp("op-q");
        queued.projectId = "proj";
        queued.status = opstatus::kQueued;
        QVERIFY(store.createOp(queued).isOk());
        QCOMPARE(view.project("proj")->queue.size(), size_t(1));  // shown, not stored
        QVERIFY(view.heldProject("proj").record->queue.empty());
        QVERIFY(store.mutateProject("proj", [](ProjectRecord& r) {
            r.status = "ready";
            return Status::ok();
        }));
        const nlohmann::json stored = nlohmann::json::parse(m_backend->projects().get("proj")->value);
        QCOMPARE(stored.value("status", ""), std::string("ready"));
        QCOMPARE(stored.value("webhook_secret", ""), std::string("s3cret"));
        QVERIFY(!stored.contains("queue"));
        ProjectRecord legacy = p;
        legacy.queue = {"op-old"};
        view.applyProject(m_backend->projects().get("proj")->revision + 1000, legacy);
        QVERIFY(!view.heldProject("proj").record);
    }
};

QTEST_GUILESS_MAIN(TestPipelineStore)
#include "tst_pipelinestore.moc"

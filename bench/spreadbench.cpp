// M-spread: RSS of paas + nats-server at BENCH_SPREAD_OPS (100,000) ops over
// BENCH_SPREAD_PROJECTS (20) projects, measured rather than extrapolated.
// Running 100,000 real ci ops takes about 40 minutes on 2 cores, so the phase
// runs a few real ones, then copies the stored record of one of them into
// paas_ops, each copy with a new op id, project and commit: the records
// arrive the way another instance's writes do, and the app's views take them
// from their KV watch as they take every op. After each tenth it waits until
// /api/system's view_ops counts them, then records the RSS (memoryRows()
// prints the row and the growth per op).
#include "bench/benchapi.h"
#include "bench/benchmarks.h"
#include "engine/model/ids.h"
#include "engine/store/backend.h"
#include "engine/store/kvstore.h"

#include <QRandomGenerator>
#include <QThread>

namespace paas::bench {

namespace {

constexpr int kSeededRealOps = 3;
constexpr int kViewWaitMs = 300000;

int viewOps(BenchContext& ctx)
{
    const nlohmann::json system = ctx.get("/api/system");
    return system.value("counters", nlohmann::json::object()).value("view_ops", -1);
}

// The stored record of a finished ci op of `projectId`, or null.
nlohmann::json ciOpRecord(BenchRun& run, KvStore& ops, const std::string& projectId)
{
    const nlohmann::json page = run.ctx.get("/api/projects/" + projectId + "/ops?limit=50");
    const nlohmann::json& items = page.is_object() ? page.value("ops", nlohmann::json::array()) : page;
    for (const nlohmann::json& op : items)
        if (op.value("kind", "") == "ci" && op.value("status", "") == "completed")
            if (Result<KvEntry> e = ops.get(op.value("id", "")))
                return nlohmann::json::parse(e->value, nullptr, false);
    return nullptr;
}

std::string randomCommit()
{
    static const char* const kHex = "0123456789abcdef";
    std::string sha(40, '0');
    for (char& c : sha)
        c = kHex[QRandomGenerator::global()->bounded(16)];
    return sha;
}

// Waits until the view holds `want` ops; false after kViewWaitMs.
bool viewReaches(BenchContext& ctx, int want)
{
    for (int waited = 0; waited < kViewWaitMs; waited += 100) {
        if (viewOps(ctx) >= want)
            return true;
        QThread::msleep(100);
    }
    return false;
}

}  // namespace

void spreadOpsMemory(BenchRun& run)
{
    std::vector<std::string> projects;
    for (int i = 0; i < run.knobs.spreadProjects; ++i)
        if (std::string id = createProject(run, run.uniqueName("bench-spread")); !id.empty())
            projects.push_back(id);
    Result<std::unique_ptr<KvStore>> ops = run.ctx.nats().openBucket(names::kOpsBucket);
    if (projects.empty() || !ops || seedOps(run, projects[0], kSeededRealOps, "I-spreadseed") < 1)
        return BenchContext::note(QStringLiteral("M-spread: no project or no real ci op to copy"));
    nlohmann::json record = ciOpRecord(run, **ops, projects[0]);
    const int base = viewOps(run.ctx);
    if (!record.is_object() || base < 0)
        return BenchContext::note(QStringLiteral("M-spread: cannot read a stored ci op or the view's count"));
    run.recordRss(run.rssBySpread, 0);
    const int total = run.knobs.spreadOps, step = std::max(1, total / 10);
    int written = 0, failed = 0;
    for (int i = 0; i < total; ++i) {
        const std::string id = newOpId();
        record["id"] = id;
        record["project_id"] = projects[size_t(i) % projects.size()];
        record["trigger"]["commit"] = randomCommit();
        if ((*ops)->create(id, record.dump()))
            ++written;
        else
            ++failed;
        if ((i + 1) % step == 0 || i + 1 == total) {
            if (!viewReaches(run.ctx, base + written))
                return BenchContext::note(
                    QStringLiteral("M-spread: the view did not reach %1 ops").arg(base + written));
            run.recordRss(run.rssBySpread, written);
            BenchContext::note(
                QStringLiteral("  spread %1 of %2 ops (%3 failed writes)").arg(written).arg(total).arg(failed));
        }
    }
}

}  // namespace paas::bench

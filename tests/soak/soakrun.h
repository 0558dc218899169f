#pragma once
// SoakRun: `make soak`. Starts a real `paas --headless` (artifact builder,
// free port, throwaway artifacts root and NATS store), creates the hook
// projects, then holds for `minutes` at once: ApiLoad (~50 requests/s),
// HookCommitter (~5 real hook commits/s) and SSE fleets (200 clients on two
// threads). Every sampleMs it samples RSS/fds/threads of paas and its
// nats-server child; every minute it prints a row. Then it stops the load,
// drains (every op answered 202 and every soak commit's ci op must end),
// checks the SSE records against the event log, prints the slopes after the
// warm-up minute and applies the pass rules: run() returns 0 only if all hold.
// Thread affinity: the main thread (its event loop drives the load).
#include "tests/soak/procsampler.h"

#include <QString>

#include <memory>
#include <string>
#include <vector>

namespace paas::test {
class PaasProcess;
}

namespace paas::soak {

// Pass rules (docs/RELIABILITY.md, "Soak"): least-squares slopes per minute
// over the samples after the first (warm-up) minute.
constexpr double kAppRssSlopeMiB = 2.0;
constexpr double kNatsRssSlopeMiB = 4.0;
constexpr double kFdSlope = 1.0;
constexpr double kThreadSlope = 0.5;
constexpr double kP99SlopeMs = 20.0;
constexpr double kRssBandMiB = 8.0;
constexpr double kFdBand = 10.0;
constexpr double kThreadBand = 3.0;
// Go's runtime keeps every OS thread it starts, and starts one whenever a
// goroutine sits in a blocking syscall (a file write under writeback) while
// others can run: nats-server's count is a high-water mark that climbs in a
// step at a disk stall (seen: +4 at once, 9 -> 13 and 10 -> 14) and stays.
constexpr double kNatsThreadBand = 8.0;
constexpr double kP99BandMs = 50.0;
// nats-server runs with a soft memory limit (PAAS_NATS_MEMORY_LIMIT_MB, read
// back from /api/system): its Go heap fills up to that limit from a fresh
// store, which is not a leak. Its RSS must stay under the limit plus the
// runtime's own memory (stacks, non-heap, mapped indexes), and its slope is
// taken only once its RSS reached kNatsFilledShare of that bound (or after
// the warm-up minute, if later); a run too short for that judges the bound.
constexpr double kNatsOverheadMiB = 40.0;
// Idle before and after: paas's fds (net of client connections) and threads
// with no load running, sampled once its projects exist and again once the
// load drained, may exceed the before figure by at most these (a leak of one
// per op, commit or connection is hundreds; the pools are fixed, but a
// library may start a thread on its first call of a kind, as nats.c does for
// request-reply); the settle wait is how long the after sample may take to
// come back down (sockets closing, steps ending).
constexpr int kIdleFdGrowth = 4;
constexpr int kIdleThreadGrowth = 2;
constexpr int kIdleSettleMs = 15000;
constexpr double kNatsFilledShare = 0.8;

struct SoakOptions {
    double minutes = 10;
    int apiRate = 50;
    int commitsPerS = 5;
    int sseClients = 200;
    int hookProjects = 10;
    int churnSlots = 3;
    int drainS = 180;
    int sampleMs = 10000;
    static SoakOptions fromEnvironment();
};

struct TimedSample {
    double minute = 0;
    ProcSample app, nats;  // app.clients: its open client connections (each an fd)
};

struct MinuteRow {
    int minute = 0;
    ProcSample app, nats;
    double requestsPerS = 0, p50 = 0, p99 = 0;
    uint64_t unexpected = 0, skipped = 0, accepted = 0;
    double commitsPerS = 0;
    uint64_t commitFailures = 0, commitSkipped = 0;
    double framesPerS = 0;
    uint64_t connects = 0, reconnects = 0;
    int sseOpen = 0, sseChannels = 0, natsSubs = 0;  // the app's counters (/api/system)
};

class SoakRun {
public:
    explicit SoakRun(SoakOptions options);
    ~SoakRun();
    int run();

private:
    struct Load;
    bool startApp();
    double natsBoundMiB() const;  // limit + overhead; 0 = no limit set
    TimedSample sample() const;
    ProcSample sampleApp() const;
    void sampleIdleAfter();
    bool createHookProjects();
    void startLoad();
    void hold();
    void takeMinute(int minute);
    void stopLoad();
    int drainOps();
    int checkCommits();
    bool verifySse();
    bool judge(int lostOps, int lostCommits, bool sseOk);

    SoakOptions m_opt;
    std::unique_ptr<test::PaasProcess> m_app;
    std::unique_ptr<Load> m_load;
    std::vector<std::string> m_hookProjects;
    std::vector<TimedSample> m_samples;
    ProcSample m_idleBefore, m_idleAfter;
    double m_natsLimitMiB = 0;
    std::vector<MinuteRow> m_rows;
    qint64 m_natsPid = 0;
};

}  // namespace paas::soak

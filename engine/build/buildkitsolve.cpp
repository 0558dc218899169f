#include "engine/build/buildkitsolve.h"

#include "engine/build/buildkitstatus.h"

#include <QUuid>

#include <grpcpp/client_context.h>

#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

namespace paas {

namespace bk = moby::buildkit::v1;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(100);
constexpr auto kStatusDrainLimit = std::chrono::seconds(3);  // after Solve returned

// State shared by the calling thread and the two helper threads.
struct SolveRun {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::string> lines;
    BuildKitProgress progress;
    bool solveDone = false;
    bool statusDone = false;
    grpc::Status solveStatus;
    bk::SolveResponse response;
    grpc::ClientContext solveCtx;
    grpc::ClientContext statusCtx;
};

// Caller callbacks must not unwind through the helper threads: a throwing
// onLog loses that line; a throwing cancelled() counts as a cancel.
void emitLine(const BuildRequest& request, const std::string& line) noexcept
{
    if (!request.onLog)
        return;
    try {
        request.onLog(line);
    } catch (...) {
    }
}

bool pollCancelled(const BuildRequest& request) noexcept
{
    try {
        return request.cancelled && request.cancelled();
    } catch (...) {
        return true;
    }
}

bool knownNetworkMode(const std::string& mode)
{
    static const std::set<std::string> kModes = {"", "sandbox", "none", "host"};
    return kModes.count(mode) > 0;
}

Result<bk::SolveRequest> makeRequest(const SolveOptions& options, const BuildRequest& request,
                                     std::vector<std::string>& notes)
{
    if (request.image.empty())
        return Status::invalidArgument("invalid_image_name", "a build needs an image name to export to");
    if (!knownNetworkMode(request.networkMode))
        return Status::invalidArgument("invalid_network_mode",
                                       "network mode '" + request.networkMode + "' is not one of sandbox, host, none");
    bk::SolveRequest req;
    req.set_ref("paas" + QUuid::createUuid().toString(QUuid::Id128).toStdString());
    req.set_frontend("dockerfile.v0");
    auto& attrs = *req.mutable_frontendattrs();
    attrs["filename"] = "Dockerfile";
    if (!request.networkMode.empty())
        attrs["force-network-mode"] = request.networkMode;
    if (request.networkMode == "host")
        req.add_entitlements("network.host");
    for (const auto& [k, v] : request.buildArgs)
        attrs["build-arg:" + k] = v;
    for (const auto& [k, v] : request.labels)
        attrs["label:" + k] = v;
    req.set_session(options.sessionId);
    notes.push_back("paas: build context served through BuildKit session " + options.sessionId + " to " +
                    options.address + ", image " + request.image);
    req.set_exporter(options.exporter);
    (*req.mutable_exporterattrs())["name"] = request.image;
    for (const auto& [k, v] : options.exporterAttrs)
        (*req.mutable_exporterattrs())[k] = v;
    return req;
}

void solveThread(bk::Control::Stub& stub, const bk::SolveRequest& req, SolveRun& run)
{
    bk::SolveResponse resp;
    const grpc::Status st = stub.Solve(&run.solveCtx, req, &resp);
    std::lock_guard lock(run.mu);
    run.solveStatus = st;
    run.response = std::move(resp);
    run.solveDone = true;
    run.cv.notify_all();
}

void statusThread(bk::Control::Stub& stub, const std::string& ref, SolveRun& run)
{
    bk::StatusRequest req;
    req.set_ref(ref);
    auto reader = stub.Status(&run.statusCtx, req);
    bk::StatusResponse msg;
    while (reader->Read(&msg)) {
        std::lock_guard lock(run.mu);
        for (auto& line : run.progress.consume(msg))
            run.lines.push_back(std::move(line));
        run.cv.notify_all();
    }
    reader->Finish();  // errors here (e.g. "no such job" after an early failure) are not the build's
    std::lock_guard lock(run.mu);
    for (auto& line : run.progress.flush())
        run.lines.push_back(std::move(line));
    run.statusDone = true;
    run.cv.notify_all();
}

// Runs on the calling thread until both helpers finished: forwards log lines,
// polls cancellation, and bounds the Status drain after Solve returned.
bool superviseRun(SolveRun& run, const BuildRequest& request)
{
    bool cancelled = false;
    std::optional<Clock::time_point> solvedAt;
    std::unique_lock lock(run.mu);
    while (!(run.solveDone && run.statusDone)) {
        run.cv.wait_for(lock, kPollInterval);
        std::vector<std::string> lines;
        lines.swap(run.lines);
        const bool solveDone = run.solveDone;
        lock.unlock();
        for (const auto& line : lines)
            emitLine(request, line);
        if (!cancelled && pollCancelled(request)) {
            cancelled = true;
            run.solveCtx.TryCancel();
            run.statusCtx.TryCancel();
        }
        if (solveDone && !solvedAt)
            solvedAt = Clock::now();
        if (solvedAt && Clock::now() - *solvedAt > kStatusDrainLimit)
            run.statusCtx.TryCancel();
        lock.lock();
    }
    for (const auto& line : run.lines)
        emitLine(request, line);
    run.lines.clear();
    return cancelled;
}

Status failure(const SolveRun& run, const SolveOptions& options, bool cancelled)
{
    const grpc::Status& st = run.solveStatus;
    if (cancelled)
        return Status::conflict("build_cancelled", "the build was cancelled");
    if (st.error_code() == grpc::StatusCode::UNAVAILABLE || st.error_code() == grpc::StatusCode::CANCELLED)
        return Status::unavailable("buildkit_unavailable", "BuildKit at " + options.address +
                                                               " went away during the build: " + st.error_message());
    std::string message = "BuildKit: " + st.error_message();
    const std::string vertexErrors = run.progress.vertexErrors();
    if (!vertexErrors.empty() && st.error_message().find(vertexErrors) == std::string::npos)
        message += " (" + vertexErrors + ")";
    return Status::unprocessable("build_failed", message);
}

}  // namespace

Result<BuildResult> runDockerfileSolve(bk::Control::Stub& stub, const SolveOptions& options,
                                       const BuildRequest& request)
{
    const auto started = Clock::now();
    std::vector<std::string> notes;
    Result<bk::SolveRequest> req = makeRequest(options, request, notes);
    if (!req)
        return req.status();
    for (const auto& n : notes)
        emitLine(request, n);

    SolveRun run;
    std::thread solver;
    std::thread status;
    try {
        solver = std::thread(solveThread, std::ref(stub), std::cref(*req), std::ref(run));
        status = std::thread(statusThread, std::ref(stub), req->ref(), std::ref(run));
    } catch (const std::system_error& e) {
        run.solveCtx.TryCancel();
        if (solver.joinable())
            solver.join();
        return Status::internal("thread_start_failed", std::string("could not start the build threads: ") + e.what());
    }
    const bool cancelled = superviseRun(run, request);
    solver.join();
    status.join();

    if (cancelled || !run.solveStatus.ok())
        return failure(run, options, cancelled);
    BuildResult result;
    result.image = request.image;
    for (const auto& [k, v] : run.response.exporterresponse())
        result.exporterResponse[k] = v;
    const auto digest = run.response.exporterresponse().find("containerimage.digest");
    if (digest == run.response.exporterresponse().end() || digest->second.empty())
        return Status::internal("image_not_exported", "BuildKit finished but reported no image digest for " +
                                                          request.image + ": " + result.exporterResponse.dump());
    result.digest = digest->second;
    result.vertices = run.progress.vertices();
    result.cachedVertices = run.progress.cachedVertices();
    result.durationSeconds = std::chrono::duration<double>(Clock::now() - started).count();
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f", result.durationSeconds);
    emitLine(request, "paas: exported " + result.image + " (" + result.digest + "), " +
                          std::to_string(result.vertices) + " steps, " + std::to_string(result.cachedVertices) +
                          " cached, " + seconds + " s");
    return result;
}

}  // namespace paas

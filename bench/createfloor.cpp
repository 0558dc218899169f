#include "bench/createfloor.h"

#include "bench/benchcontext.h"
#include "engine/core/atomicfile.h"
#include "engine/git/gitrepository.h"
#include "engine/git/repobootstrapper.h"
#include "engine/model/specparser.h"
#include "engine/render/manifestsrepo.h"
#include "engine/render/yamlemit.h"
#include "engine/store/kvstore.h"

#include <cmath>

namespace paas::bench {

namespace {

const char* const kStream = "BENCH_FLOOR";
const char* const kSubjectPrefix = "bench.floor.";

}  // namespace

CreateFloor::CreateFloor(NatsClient& nats, const QString& parentDir) : m_nats(nats), m_dir(parentDir + "/floor-XXXXXX")
{
}

CreateFloor::~CreateFloor() = default;

nlohmann::json CreateFloor::contents()
{
    return {{"git",
             "RepoBootstrapper::run (source + manifests repos, static template, hooks), "
             "source tree read, one manifests commit of renderManifestsRepo()"},
            {"files",
             "registration/project.yaml, registration.json, build/Dockerfile, image.txt, "
             "publish-local-daemon.json (writeFileAtomic)"},
            {"kv_reads", kKvReads},
            {"kv_writes", kKvWrites},
            {"jetstream_publishes", kPublishes}};
}

bool CreateFloor::prepare()
{
    m_spec = {{"apiVersion", "platform.example.com/v2"},
              {"kind", "App"},
              {"name", "floor"},
              {"runtime", "static"},
              {"environments", {{"dev", nlohmann::json::object()}}}};
    Result<ProjectSpec> parsed = SpecParser::parseSpec(m_spec, "/spec");  // not timed
    Result<std::unique_ptr<KvStore>> kv = m_nats.openBucket("bench_floor");
    if (!m_dir.isValid() || !kv || !parsed) {
        m_error = "cannot open the floor's folder or bucket";
        return false;
    }
    m_kv = std::move(kv.value());
    m_parsed = std::move(parsed.value());
    if (Status s = m_nats.ensureStream({kStream, {std::string(kSubjectPrefix) + ">"}, false, 100000, 0, -1}); !s) {
        m_error = s.message();
        return false;
    }
    return true;
}

bool CreateFloor::fileWork(const QString& dir, const std::string& projectId)
{
    const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(m_spec.dump());
    const nlohmann::json record{
        {"action", "create"}, {"project_id", projectId}, {"op_id", "floor"}, {"source", "api"}, {"spec", m_spec}};
    const std::string image = "paas/" + projectId + ":0123456789ab";
    const nlohmann::json publish{{"image", image},
                                 {"commit", std::string(40, '0')},
                                 {"effective_mode", "artifact"},
                                 {"published", false},
                                 {"dockerfile_source", "repo"}};
    for (const auto& [path, data] : {std::pair<QString, std::string>{"/registration/project.yaml", emitYaml(ordered)},
                                     {"/registration/registration.json", record.dump(2) + "\n"},
                                     {"/build/Dockerfile", "FROM nginx:alpine\nCOPY . /usr/share/nginx/html\n"},
                                     {"/build/image.txt", image + "\n"},
                                     {"/build/publish-local-daemon.json", publish.dump(2) + "\n"}})
        if (Status s = writeFileAtomic(dir + path, data); !s) {
            m_error = s.message();
            return false;
        }
    return true;
}

bool CreateFloor::gitWork(const QString& dir, const std::string& projectId)
{
    BootstrapRequest request;
    request.projectDir = dir;
    request.projectId = projectId;
    request.name = "floor";
    request.runtime = "static";
    request.apiUrlFile = m_dir.path() + "/api-url";
    request.hookToken = std::string(64, 'f');
    Result<BootstrapOutcome> boot = RepoBootstrapper::run(request);
    Result<GitRepository> source =
        boot ? GitRepository::open(RepoBootstrapper::sourceRepoPath(dir)) : Result<GitRepository>(boot.status());
    Result<std::string> head = source ? source->branchHead() : Result<std::string>(source.status());
    Result<TreeListing> tree = head ? source->listTree(*head) : Result<TreeListing>(head.status());
    Result<std::optional<std::string>> dockerfile =
        tree ? source->readFileAt(*head, "Dockerfile") : Result<std::optional<std::string>>(tree.status());
    if (!dockerfile)
        tree = dockerfile.status();
    if (!tree) {
        m_error = tree.status().message();
        return false;
    }
    const std::string image = "paas/" + projectId + ":" + head->substr(0, 12);
    const auto files = renderManifestsRepo(m_parsed, projectId, {}, image);
    Result<GitRepository> manifests = GitRepository::open(RepoBootstrapper::manifestsRepoPath(dir));
    Result<std::string> commit = manifests ? manifests->commitFiles(files, "platform-sync: render " + image)
                                           : Result<std::string>(manifests.status());
    if (!commit)
        m_error = commit.status().message();
    return commit.isOk();
}

bool CreateFloor::jetStreamWork(const std::string& projectId)
{
    const std::string record(1024, 'r');
    const std::string event(300, 'e');
    for (int i = 0; i < std::max(kKvReads, std::max(kKvWrites, kPublishes)); ++i) {
        const std::string key = projectId + "." + std::to_string(i % 4);
        if (i < kKvWrites && !m_kv->put(key, record)) {
            m_error = "floor KV put failed";
            return false;
        }
        if (i < kKvReads && !m_kv->get(projectId + ".0")) {
            m_error = "floor KV get failed";
            return false;
        }
        if (i < kPublishes && !m_nats.publish(kSubjectPrefix + projectId, event)) {
            m_error = "floor publish failed";
            return false;
        }
    }
    return true;
}

double CreateFloor::sampleMs()
{
    const std::string projectId = "floor-" + std::to_string(++m_samples);
    const QString dir = m_dir.path() + "/" + QString::fromStdString(projectId);
    const int64_t start = steadyNs();
    if (!fileWork(dir, projectId))
        return NAN;
    const int64_t files = steadyNs();
    if (!gitWork(dir, projectId))
        return NAN;
    const int64_t git = steadyNs();
    if (!jetStreamWork(projectId))
        return NAN;
    const int64_t end = steadyNs();
    m_parts = {double(files - start) / 1e6, double(git - files) / 1e6, double(end - git) / 1e6};
    return double(end - start) / 1e6;
}

}  // namespace paas::bench

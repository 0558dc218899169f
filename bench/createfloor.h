#pragma once
// CreateFloor: the floor of row P1. One sample is the git, file and
// JetStream work one create op does in artifact mode (static runtime), done
// in this process, in one thread, with nothing between the calls: no HTTP,
// no spec validation, no work-queue deliveries, no thread hand-offs, no
// events reaching a subscriber, no in-memory view. What it contains:
//
//   registrar         writes registration/project.yaml (emitYaml) and
//                     registration/registration.json (writeFileAtomic)
//   repoBootstrap     RepoBootstrapper::run(), the engine's own: source repo
//                     init, static template commit, template-state.json,
//                     hooks, manifests repo init + README commit
//   imageBuilder      open the source repo, resolve main, read its tree;
//                     write build/Dockerfile, image.txt,
//                     publish-local-daemon.json
//   manifestRenderer  renderManifestsRepo() and one commit of its files to
//                     the manifests repo
//   JetStream         the round trips the engine makes for one create op
//                     (counted in engine/pipeline: enqueue, the four steps'
//                     claim / step writes / result, finishOp, afterOpEnded):
//                     kKvReads KV gets, kKvWrites KV puts of ~1 KiB records,
//                     kPublishes acknowledged JetStream publishes of ~300 B
//                     events / work items, on a bucket and stream of the
//                     bench's own on the app's nats-server.
//
// Contract: prepare() once (opens the bucket and stream); sampleMs() does
// one fresh project's worth in its own folder under a temporary directory on
// the same file system as the app's artifacts, and returns its wall time
// (NAN on failure, with the reason in lastError()).
// Thread affinity: one thread.
#include "engine/model/projectspec.h"
#include "engine/store/natsclient.h"

#include <nlohmann/json.hpp>

#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <string>

namespace paas {
class KvStore;
}

namespace paas::bench {

class CreateFloor {
public:
    static constexpr int kKvReads = 15;
    static constexpr int kKvWrites = 14;
    static constexpr int kPublishes = 22;

    CreateFloor(NatsClient& nats, const QString& parentDir);
    ~CreateFloor();

    bool prepare();
    double sampleMs();
    const std::string& lastError() const { return m_error; }
    // The last sample's parts, ms: file writes, git, JetStream round trips.
    struct Parts {
        double files = 0, git = 0, jetStream = 0;
    };
    const Parts& lastParts() const { return m_parts; }
    static nlohmann::json contents();

private:
    bool fileWork(const QString& dir, const std::string& projectId);
    bool gitWork(const QString& dir, const std::string& projectId);
    bool jetStreamWork(const std::string& projectId);

    NatsClient& m_nats;
    QTemporaryDir m_dir;
    std::unique_ptr<KvStore> m_kv;
    nlohmann::json m_spec;
    ProjectSpec m_parsed;
    int m_samples = 0;
    Parts m_parts;
    std::string m_error;
};

}  // namespace paas::bench

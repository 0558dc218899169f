#pragma once
// InstanceId: the id of one paas instance among those sharing a JetStream
// cluster (docs/SCALING.md). It is printed at startup, shown in /api/system
// and recorded on every step the instance runs.
//
// Contract: claim() returns PAAS_INSTANCE_ID when given. Otherwise it reuses
// an id kept under <stateDir>/instances/ whose lock no running instance
// holds, or makes a new one (<host>-<6 hex>) and keeps it there: an instance
// restarted on the same state dir keeps its id, and two instances running
// at once on one state dir (one host, one shared artifacts root) never get
// the same one. The lock is held as long as the returned object lives.
// Thread affinity: any one thread.
#include "engine/core/status.h"

#include <QLockFile>
#include <QString>

#include <memory>

namespace paas {

class InstanceId {
public:
    static Result<std::unique_ptr<InstanceId>> claim(const QString& stateDir, const QString& explicitId);
    const QString& id() const { return m_id; }

private:
    InstanceId() = default;
    QString m_id;
    std::unique_ptr<QLockFile> m_lock;
};

}  // namespace paas

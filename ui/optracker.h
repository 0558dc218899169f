#pragma once
// OpTracker: the tray's state machine, fed with op events from EventFeed.
//
// It keeps one summary per op id and derives:
//   - runningCount(): ops seen in a non-terminal status,
//   - state(): Running while runningCount() > 0; otherwise Failed when an op
//     failed since the last acknowledge() (sticky); else Idle,
//   - recentOps(): the last kMaxRecent ops, most recently updated first.
// opFinished(summary, failed) fires once per op on its transition into a
// terminal status (never twice for op.status=failed followed by op.failed).
// op.bootstrap snapshots (the stream's initial state) update counts but never
// notify and never set the Failed state: they describe the past.
//
// Event mapping is table-driven (see optracker.cpp): op.status / op.bootstrap /
// op.heartbeat follow the data's "status"; step.* mean running; op.completed
// and op.failed are terminal, and so is op.cancelled (its status
// "cancelled" counts as failed here). Unknown types are ignored.
//
// Thread affinity: a QObject of the GUI thread; not thread-safe.
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

namespace paas {

enum class TrayState { Idle, Running, Failed };
QString trayStateName(TrayState state);

struct OpSummary {
    QString opId;
    QString projectId;
    QString kind;
    QString status;     // last known status, e.g. running, succeeded, failed
    QString lastEvent;  // last event type seen
    QString error;      // failure message when known
    QDateTime updatedAt;
    bool terminal = false;
    bool failed = false;
};

class OpTracker : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxRecent = 10;

    explicit OpTracker(QObject* parent = nullptr);

    void handleEvent(const QString& type, const QJsonObject& data);
    // The user looked at it: a Failed state falls back to Idle.
    void acknowledge();

    TrayState state() const;
    int runningCount() const;
    QList<OpSummary> recentOps() const { return m_recent; }
    const OpSummary* lastOp() const { return m_recent.isEmpty() ? nullptr : &m_recent.front(); }

signals:
    void changed();
    void opFinished(const paas::OpSummary& op, bool failed);

private:
    OpSummary& touch(const QString& opId);
    void applyRunning(OpSummary& op, const QString& status, bool snapshot);
    void applyTerminal(OpSummary& op, const QString& status, bool failed, bool snapshot, const QString& error);

    QList<OpSummary> m_recent;  // most recent first, bounded
    QStringList m_running;      // op ids in a non-terminal status
    bool m_failedUnacknowledged = false;
};

}  // namespace paas

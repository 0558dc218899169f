#pragma once
// LegacyWaiter: the legacy direct endpoints (POST/PUT/DELETE /api/projects)
// run the same pipeline as the event API but answer only when the op ends.
// The waiter holds the responder, polls the op record (bounded by
// Config::legacyWaitMs) without blocking the API thread until the op is
// terminal and the project record has taken it in (the op left the
// project's queue), and then answers:
//   completed -> successStatus {project, op_id, op}; failed -> the op's
//   error with the op; cancelled -> 409 {error: cancelled, op}; still
//   running at the bound -> 202 {accepted, op}.
//   A completed delete answers with the project as it was when the request
//   was accepted, with status "deleted" and last_op = the delete op.
// A client that disconnects meanwhile is dropped at once.
// Thread affinity: the API thread.
#include "engine/api/apicontext.h"

#include <QElapsedTimer>
#include <QHttpServerResponder>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <string>

namespace paas::api {

class LegacyWaiter : public QObject {
    Q_OBJECT
public:
    static void start(QHttpServerResponder&& responder, const ApiContext& context, std::string opId, int successStatus);

private:
    LegacyWaiter(QHttpServerResponder&& responder, const ApiContext& context, std::string opId, int successStatus);
    void poll();

    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    ApiContext m_context;
    std::string m_opId;
    int m_successStatus;
    nlohmann::json m_projectAtStart;  // for a delete: the record goes away
    QElapsedTimer m_elapsed;
};

}  // namespace paas::api

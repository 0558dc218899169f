#include "engine/api/offloader.h"

#include "engine/core/fixedpool.h"
#include "engine/core/tsan.h"

#include <QPointer>
#include <QTcpSocket>

#include <memory>

namespace paas::api {

Offloader::Offloader(QObject* parent) : QObject(parent)
{
    startFixedPool(m_pool, QStringLiteral("paas-api-offload"), kThreads);
}

Offloader::~Offloader()
{
    m_pool.clear();
    m_pool.waitForDone();
}

void Offloader::run(HttpExchange& ex, Work work, Finish finish)
{
    if (m_pending.load() >= kMaxPending) {
        sendError(ex, Status::unavailable("api_busy", "too many requests are waiting on the backend; retry shortly"));
        return;
    }
    struct Call {
        QHttpServerResponder responder;
        QPointer<QTcpSocket> socket;
        Work work;
        Finish finish;
        Reply reply;
    };
    // The call is destroyed on the API thread, at the end of its answer,
    // never on the pool: its responder, socket guard (QPointer) and reply
    // (implicitly shared Qt data the responder also holds) belong to that
    // thread. Only the slot is shared with the pool task.
    auto slot = std::make_shared<std::unique_ptr<Call>>(std::make_unique<Call>(
        Call{std::move(ex.responder), QPointer<QTcpSocket>(ex.socket), std::move(work), std::move(finish), {}}));
    ++m_pending;
    m_pool.start(tsan::task([this, slot] {
        Call& c = **slot;
        c.reply = c.work();
        c.work = nullptr;  // release what the work captured on its own thread
        QMetaObject::invokeMethod(this, tsan::handOff([this, slot] {
                                      const std::unique_ptr<Call> call = std::move(*slot);
                                      --m_pending;
                                      if (!call->socket || call->socket->state() != QAbstractSocket::ConnectedState)
                                          return;
                                      if (call->finish)
                                          call->finish(call->responder, call->reply);
                                      else
                                          sendReply(call->responder, call->reply);
                                  }),
                                  Qt::QueuedConnection);
    }));
}

}  // namespace paas::api

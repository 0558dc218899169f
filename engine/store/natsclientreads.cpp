// NatsClient: reads through the JetStream API (contract in natsclient.h):
// the leader's message get, the subject state, and the queue head past a
// lost index entry of nats-server 2.9.10.
#include "engine/store/natsclient.h"

#include <QByteArray>
#include <QDebug>
#include <QString>

namespace paas {

namespace {

StreamMessage messageOf(const nlohmann::json& reply)
{
    const nlohmann::json& message = reply.value("message", nlohmann::json::object());
    StreamMessage out;
    out.seq = message.value("seq", uint64_t(0));
    out.data = QByteArray::fromBase64(QByteArray::fromStdString(message.value("data", ""))).toStdString();
    return out;
}

}  // namespace

Result<nlohmann::json> NatsClient::apiRequest(const std::string& api, const nlohmann::json& request)
{
    const std::string body = request.dump();
    natsMsg* reply = nullptr;
    natsStatus s =
        natsConnection_Request(&reply, m_conn, api.c_str(), body.data(), static_cast<int>(body.size()), kCallTimeoutMs);
    if (s != NATS_OK)
        return natsError(s, api);
    nlohmann::json j = nlohmann::json::parse(
        std::string(natsMsg_GetData(reply), static_cast<size_t>(natsMsg_GetDataLength(reply))), nullptr, false);
    natsMsg_Destroy(reply);
    if (!j.is_object())
        return Status::internal("bad_api_reply", api + " answered something else than JSON");
    if (j.contains("error")) {
        if (j["error"].value("code", 0) == 404)
            return Status::notFound("no_message", api + ": " + j["error"].value("description", "not found"));
        return Status::unavailable("backend_unavailable", api + ": " + j["error"].value("description", "?"));
    }
    return j;
}

Result<StreamMessage> NatsClient::nextMessageFromLeader(const std::string& stream, const std::string& subject,
                                                        uint64_t fromSeq)
{
    // nats.c's js_GetMsg has no next-by-subject form.
    Result<nlohmann::json> reply = apiRequest("$JS.API.STREAM.MSG.GET." + stream,
                                              {{"seq", std::max<uint64_t>(1, fromSeq)}, {"next_by_subj", subject}});
    if (!reply)
        return reply.status();
    StreamMessage out = messageOf(*reply);
    if (out.seq == 0)
        return Status::internal("bad_msg_get", "message get on " + subject + " answered without a sequence");
    return out;
}

Result<NatsClient::SubjectState> NatsClient::subjectState(const std::string& stream, const std::string& subject)
{
    Result<nlohmann::json> info = apiRequest("$JS.API.STREAM.INFO." + stream, {{"subjects_filter", subject}});
    if (!info)
        return info.status();
    const nlohmann::json& state = (*info).value("state", nlohmann::json::object());
    const nlohmann::json subjects = state.value("subjects", nlohmann::json::object());
    SubjectState out;
    out.messages = subjects.is_object() ? subjects.value(subject, uint64_t(0)) : 0;
    out.firstSeq = state.value("first_seq", uint64_t(0));
    out.lastSeq = state.value("last_seq", uint64_t(0));
    return out;
}

Result<StreamMessage> NatsClient::scanForSubject(const std::string& stream, const std::string& subject,
                                                 uint64_t fromSeq, uint64_t toSeq)
{
    for (uint64_t seq = std::max<uint64_t>(1, fromSeq); seq <= toSeq;) {
        Result<nlohmann::json> reply =
            apiRequest("$JS.API.STREAM.MSG.GET." + stream, {{"seq", seq}, {"next_by_subj", ">"}});
        if (!reply)
            return reply.status();
        const StreamMessage message = messageOf(*reply);
        if (message.seq < seq)  // never walk back: the scan ends
            return Status::internal("bad_msg_get", "message get from " + std::to_string(seq) + " went back");
        if ((*reply)["message"].value("subject", "") == subject)
            return message;
        seq = message.seq + 1;
    }
    return Status::notFound("no_message", "no message on " + subject);
}

Result<StreamMessage> NatsClient::headMessage(const std::string& stream, const std::string& subject)
{
    Result<StreamMessage> first = nextMessage(stream, subject, 1);
    if (first || first.status().code() != Status::Code::NotFound)
        return first;
    Result<SubjectState> state = subjectState(stream, subject);
    if (!state)
        return state.status();
    if (state->messages == 0)
        return first;
    Result<StreamMessage> again = nextMessage(stream, subject, 1);  // an append that raced the first read
    if (again || again.status().code() != Status::Code::NotFound)
        return again;
    Result<StreamMessage> found = scanForSubject(stream, subject, state->firstSeq, state->lastSeq);
    if (found)
        qWarning().noquote() << "nats: the server's index of" << QString::fromStdString(subject) << "lost message"
                             << found->seq << "(a nats-server 2.9 fault after a crash); found it by a scan";
    return found;
}

}  // namespace paas

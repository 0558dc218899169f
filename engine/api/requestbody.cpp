#include "engine/api/requestbody.h"

namespace paas::api {

Result<nlohmann::json> parseJsonObjectBody(const QByteArray& body)
{
    if (body.trimmed().isEmpty())
        return Status::invalidArgument("malformed_json", "request body is empty; expected a JSON object");
    int depth = 0;
    bool tooDeep = false;
    auto limiter = [&](int, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if (event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start)
            tooDeep |= ++depth > kMaxJsonBodyDepth;
        else if (event == nlohmann::json::parse_event_t::object_end ||
                 event == nlohmann::json::parse_event_t::array_end)
            --depth;
        return !tooDeep;
    };
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(body.constData(), body.constData() + body.size(), limiter);
    } catch (const nlohmann::json::exception& e) {
        // Not only parse_error: a number beyond the double range is
        // out_of_range (406), which once escaped and ended the server.
        return Status::invalidArgument("malformed_json", std::string("request body is not valid JSON: ") + e.what());
    }
    if (tooDeep)
        return Status::tooLarge("too_deep",
                                "JSON nesting deeper than " + std::to_string(kMaxJsonBodyDepth) + " levels");
    if (!doc.is_object())
        return Status::invalidArgument("malformed_json", "request body must be a JSON object");
    return doc;
}

}  // namespace paas::api

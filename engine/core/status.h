#pragma once
// Status and Result<T>: errors as values inside the engine.
//
// Contract: every fallible engine call returns a Status (or a Result<T>)
// instead of throwing. A Status is either ok() or carries
//   - a Code (the *category*, which the API layer maps to an HTTP status in
//     exactly one place: engine/api/errormapping.cpp),
//   - a machine-readable reason (snake_case, e.g. "invalid_spec"), shown to
//     clients as error.code,
//   - a human message, and optional per-field details (JSON pointer + text).
// Status is a small value type; copy it freely. Thread-safe as any value.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace paas {

struct FieldError {
    std::string path;     // JSON pointer, e.g. "/spec/name"
    std::string message;  // what is wrong with it
};

class Status {
public:
    enum class Code {
        Ok,
        InvalidArgument,   // malformed input (400)
        Unauthorized,      // bad signature (401)
        Forbidden,         // CSRF / origin (403)
        NotFound,          // unknown id (404)
        MethodNotAllowed,  // wrong method on a known path (405)
        Conflict,          // exists already, guardrail, CAS lost (409)
        Misdirected,       // DNS rebinding / bad Host (421)
        TooLarge,          // body or document too large (413)
        Unprocessable,     // schema violation (422)
        Unavailable,       // backend down, try later (503)
        Internal,          // a bug or an I/O failure (500)
    };

    Status() = default;
    Status(Code code, std::string reason, std::string message, std::vector<FieldError> details = {})
        : m_code(code), m_reason(std::move(reason)), m_message(std::move(message)), m_details(std::move(details))
    {
    }

    static Status ok() { return {}; }
    static Status invalidArgument(std::string reason, std::string message, std::vector<FieldError> d = {})
    {
        return {Code::InvalidArgument, std::move(reason), std::move(message), std::move(d)};
    }
    static Status notFound(std::string reason, std::string message)
    {
        return {Code::NotFound, std::move(reason), std::move(message)};
    }
    static Status conflict(std::string reason, std::string message)
    {
        return {Code::Conflict, std::move(reason), std::move(message)};
    }
    static Status unprocessable(std::string reason, std::string message, std::vector<FieldError> d = {})
    {
        return {Code::Unprocessable, std::move(reason), std::move(message), std::move(d)};
    }
    static Status tooLarge(std::string reason, std::string message)
    {
        return {Code::TooLarge, std::move(reason), std::move(message)};
    }
    static Status unavailable(std::string reason, std::string message)
    {
        return {Code::Unavailable, std::move(reason), std::move(message)};
    }
    static Status internal(std::string reason, std::string message)
    {
        return {Code::Internal, std::move(reason), std::move(message)};
    }

    bool isOk() const { return m_code == Code::Ok; }
    explicit operator bool() const { return isOk(); }
    Code code() const { return m_code; }
    const std::string& reason() const { return m_reason; }
    const std::string& message() const { return m_message; }
    const std::vector<FieldError>& details() const { return m_details; }
    std::string toString() const { return isOk() ? std::string("ok") : m_reason + ": " + m_message; }

private:
    Code m_code = Code::Ok;
    std::string m_reason;
    std::string m_message;
    std::vector<FieldError> m_details;
};

// Result<T>: a value or a non-ok Status.
template <typename T>
class Result {
public:
    Result(T value) : m_value(std::move(value)) {}          // NOLINT(implicit)
    Result(Status status) : m_status(std::move(status)) {}  // NOLINT(implicit)

    bool isOk() const { return m_status.isOk() && m_value.has_value(); }
    explicit operator bool() const { return isOk(); }
    const Status& status() const { return m_status; }
    T& value() { return *m_value; }
    const T& value() const { return *m_value; }
    T* operator->() { return &*m_value; }
    const T* operator->() const { return &*m_value; }
    T& operator*() { return *m_value; }
    const T& operator*() const { return *m_value; }

private:
    Status m_status;
    std::optional<T> m_value;
};

}  // namespace paas

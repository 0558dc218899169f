#include "engine/run/containerengine.h"

#include "engine/run/logdemux.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>

namespace paas {

namespace {

using nlohmann::json;

constexpr const char* kApiBase = "http://docker/v1.41";
constexpr std::size_t kMaxBody = 4 * 1024 * 1024;
constexpr int kMaxTail = 10000;
constexpr long kPollMs = 200;

using CurlHandle = std::unique_ptr<CURL, void (*)(CURL*)>;
using HeaderList = std::unique_ptr<curl_slist, void (*)(curl_slist*)>;

void initCurl()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string encode(const std::string& value)
{
    return QUrl::toPercentEncoding(QString::fromStdString(value)).toStdString();
}

std::string containerPath(const std::string& idOrName, const std::string& rest)
{
    return "/containers/" + encode(idOrName) + rest;
}

// One answer of the engine: the transport result, the HTTP code and the body
// (bounded; overflow aborts the transfer).
struct Reply {
    CURLcode rc = CURLE_OK;
    long code = 0;
    std::string body;
    bool overflow = false;
};

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user)
{
    auto* reply = static_cast<Reply*>(user);
    const std::size_t n = size * count;
    if (reply->body.size() + n > kMaxBody) {
        reply->overflow = true;
        return 0;  // aborts with CURLE_WRITE_ERROR
    }
    reply->body.append(data, n);
    return n;
}

// Method, URL, socket, body and timeouts; timeoutMs 0 = no overall timeout.
HeaderList configure(CURL* curl, const std::string& socket, const std::string& method, const std::string& path,
                     const std::string& body, long connectMs, long timeoutMs)
{
    HeaderList headers(nullptr, curl_slist_free_all);
    const std::string url = kApiBase + path;
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never an http_proxy from the environment
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connectMs);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeoutMs);
    if (method == "POST") {
        headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, body.c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    } else if (method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    return headers;
}

Reply perform(const std::string& socket, const std::string& method, const std::string& path, long timeoutMs,
              const std::string& body = {})
{
    initCurl();
    Reply reply;
    CurlHandle curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        return {CURLE_FAILED_INIT};
    const HeaderList headers = configure(curl.get(), socket, method, path, body, timeoutMs, timeoutMs);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply);
    reply.rc = curl_easy_perform(curl.get());
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.code);
    return reply;
}

// object[key], or null when object is no object or lacks key.
const json& member(const json& object, const char* key)
{
    static const json none;
    return object.is_object() && object.contains(key) ? object[key] : none;
}

std::string text(const json& object, const char* key)
{
    const json& value = member(object, key);
    return value.is_string() ? value.get<std::string>() : std::string();
}

std::string engineMessage(const Reply& reply)
{
    if (std::string message = text(json::parse(reply.body, nullptr, false), "message"); !message.empty())
        return message;
    return QString::fromStdString(reply.body.substr(0, 512)).trimmed().toStdString();
}

Status transportError(const Reply& reply, const std::string& socket, const std::string& what)
{
    if (reply.overflow)
        return Status::unprocessable("docker_error", what + " failed: the engine's answer exceeds 4 MiB");
    return Status::unavailable("docker_unavailable", "the Docker engine at " + socket + " cannot be reached (" + what +
                                                         "): " + curl_easy_strerror(reply.rc));
}

Status httpError(const Reply& reply, const std::string& what)
{
    return Status::unprocessable("docker_error",
                                 what + " failed: HTTP " + std::to_string(reply.code) + ": " + engineMessage(reply));
}

Status noSuchContainer(const std::string& idOrName)
{
    return Status::notFound("container_not_found", "no container '" + idOrName + "' on the Docker engine");
}

// The usual outcome of a call about one container: ok on one of okCodes,
// NotFound on 404, otherwise the transport or HTTP error.
Status outcome(const Reply& reply, const std::string& socket, const std::string& what, const std::string& idOrName,
               std::initializer_list<long> okCodes)
{
    if (reply.rc != CURLE_OK)
        return transportError(reply, socket, what);
    if (std::find(okCodes.begin(), okCodes.end(), reply.code) != okCodes.end())
        return Status::ok();
    if (reply.code == 404)
        return noSuchContainer(idOrName);
    return httpError(reply, what);
}

// A body-less call about one container (an empty id never reaches the engine).
Status containerCall(const std::string& socket, const std::string& method, const std::string& idOrName,
                     const std::string& rest, long timeoutMs, const std::string& what,
                     std::initializer_list<long> okCodes, Reply* reply = nullptr)
{
    if (idOrName.empty())
        return noSuchContainer(idOrName);
    Reply answer = perform(socket, method, containerPath(idOrName, rest), timeoutMs);
    const Status status = outcome(answer, socket, what, idOrName, okCodes);
    if (reply)
        *reply = std::move(answer);
    return status;
}

ContainerInfo toInfo(const json& j)
{
    ContainerInfo info;
    info.id = text(j, "Id");
    info.name = text(j, "Name");
    if (!info.name.empty() && info.name.front() == '/')
        info.name.erase(0, 1);
    const json& config = member(j, "Config");
    info.image = text(config, "Image").empty() ? text(j, "Image") : text(config, "Image");
    const json& labels = member(config, "Labels");
    if (labels.is_object())
        for (const auto& [key, value] : labels.items())
            if (value.is_string())
                info.labels[key] = value.get<std::string>();
    const json& state = member(j, "State");
    info.state = text(state, "Status");
    info.startedAt = text(state, "StartedAt");
    info.running = member(state, "Running") == true;
    info.exitCode = member(state, "ExitCode").is_number_integer() ? member(state, "ExitCode").get<int>() : 0;
    return info;
}

Result<json> inspectJson(const std::string& socket, long timeoutMs, const std::string& idOrName)
{
    const std::string what = "inspecting container " + idOrName;
    Reply reply;
    if (Status s = containerCall(socket, "GET", idOrName, "/json", timeoutMs, what, {200}, &reply); !s)
        return s;
    json j = json::parse(reply.body, nullptr, false);
    if (!j.is_object() || text(j, "Id").empty())
        return Status::unprocessable("docker_error", what + " failed: the engine's answer is not a container");
    return j;
}

// The logs transfer: the lines go through a LogDemux (logdemux.h); an
// error answer's body goes to reply instead.
struct LogStream {
    CURL* curl = nullptr;
    LogDemux demux;
    const std::function<bool()>* cancelled = nullptr;
    Reply reply;

    bool isCancelled() const { return *cancelled && (*cancelled)(); }
};

std::size_t onLogData(char* data, std::size_t size, std::size_t count, void* user)
{
    auto* stream = static_cast<LogStream*>(user);
    curl_easy_getinfo(stream->curl, CURLINFO_RESPONSE_CODE, &stream->reply.code);
    if (stream->reply.code != 200)
        return onBody(data, size, count, &stream->reply);
    stream->demux.feed(data, size * count);
    return size * count;
}

int onLogProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    return static_cast<const LogStream*>(user)->isCancelled() ? 1 : 0;
}

// Runs the transfer on a multi handle so cancelled() is checked at least every
// kPollMs even while the stream is idle (and by the progress callback while
// data flows). Returns whether it was cancelled.
bool runLogTransfer(CURL* curl, LogStream& stream)
{
    std::unique_ptr<CURLM, CURLMcode (*)(CURLM*)> multi(curl_multi_init(), curl_multi_cleanup);
    if (!multi || curl_multi_add_handle(multi.get(), curl) != CURLM_OK) {
        stream.reply.rc = CURLE_FAILED_INIT;
        return false;
    }
    bool cancelled = false;
    int running = 1;
    while (running > 0 && !(cancelled = stream.isCancelled())) {
        if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
            stream.reply.rc = CURLE_FAILED_INIT;
            break;
        }
        if (running > 0)
            curl_multi_poll(multi.get(), nullptr, 0, kPollMs, nullptr);
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued))
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == curl)
            stream.reply.rc = msg->data.result;
    curl_multi_remove_handle(multi.get(), curl);
    return cancelled || stream.reply.rc == CURLE_ABORTED_BY_CALLBACK;
}

// GET /containers/{id}/logs, lines to onLine. follow: no overall timeout.
Status streamLogs(const std::string& socket, long timeoutMs, const std::string& idOrName, int tail, bool follow,
                  const std::function<void(std::string)>& onLine, const std::function<bool()>& cancelled)
{
    Result<json> container = inspectJson(socket, timeoutMs, idOrName);
    if (!container)
        return container.status();
    const bool tty = member(member(*container, "Config"), "Tty") == true;
    const std::string path = containerPath(text(*container, "Id"), "/logs") + "?stdout=1&stderr=1&timestamps=0" +
                             (follow ? "&follow=1" : "") + "&tail=" + std::to_string(std::clamp(tail, 0, kMaxTail));
    initCurl();
    CurlHandle curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        return Status::internal("curl_failed", "could not start an HTTP client");
    LogStream stream{curl.get(), LogDemux(!tty, onLine), &cancelled, {}};
    const HeaderList headers = configure(curl.get(), socket, "GET", path, {}, timeoutMs, follow ? 0 : timeoutMs);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, onLogData);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &stream);
    curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, onLogProgress);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &stream);
    if (runLogTransfer(curl.get(), stream))
        return Status::ok();
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &stream.reply.code);
    if (Status s = outcome(stream.reply, socket, "reading the logs of container " + idOrName, idOrName, {200}); !s)
        return s;
    stream.demux.finish();
    return Status::ok();
}

json createBody(const ContainerSpec& spec)
{
    json labels = json::object();
    for (const auto& [key, value] : spec.labels)
        labels[key] = value;
    json hostConfig = {
        {"NetworkMode", spec.network}, {"RestartPolicy", {{"Name", spec.restartPolicy}}}, {"Init", spec.init}};
    json body = {{"Image", spec.image}, {"Env", spec.env}, {"Labels", labels}, {"HostConfig", hostConfig}};
    if (spec.network == "bridge" && spec.containerPort > 0) {
        const std::string port = std::to_string(spec.containerPort) + "/tcp";
        body["ExposedPorts"] = {{port, json::object()}};
        body["HostConfig"]["PortBindings"] = {
            {port, json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", std::to_string(spec.hostPort)}}})}};
    }
    return body;
}

Status validate(const ContainerSpec& spec)
{
    const auto invalid = [](const char* path, const std::string& message) {
        return Status::invalidArgument("invalid_container_spec", "the container spec is invalid: " + message,
                                       {{path, message}});
    };
    if (spec.name.empty())
        return invalid("/name", "a container needs a name");
    if (spec.image.empty())
        return invalid("/image", "a container needs an image");
    if (spec.network != "bridge" && spec.network != "host")
        return invalid("/network", "the network is \"bridge\" or \"host\"");
    for (const auto& [path, port] : {std::pair{"/containerPort", spec.containerPort}, {"/hostPort", spec.hostPort}})
        if (port < 0 || port > 65535)
            return invalid(path, "a port is 1-65535");
    if (spec.network == "bridge" && (spec.containerPort > 0) != (spec.hostPort > 0))
        return invalid("/hostPort", "a published port needs both containerPort and hostPort");
    return Status::ok();
}

}  // namespace

ContainerEngine::ContainerEngine(std::string socketPath, int timeoutMs)
    : m_socket(std::move(socketPath)), m_timeoutMs(timeoutMs > 0 ? timeoutMs : 30000)
{
}

Status ContainerEngine::ping() const
{
    const Reply reply = perform(m_socket, "GET", "/_ping", m_timeoutMs);
    if (reply.rc != CURLE_OK)
        return transportError(reply, m_socket, "ping");
    if (reply.code != 200)
        return Status::unavailable("docker_unavailable", "the Docker engine at " + m_socket +
                                                             " answered ping with HTTP " + std::to_string(reply.code));
    return Status::ok();
}

Result<bool> ContainerEngine::hasNetwork(const std::string& name) const
{
    const Reply reply = perform(m_socket, "GET", "/networks/" + encode(name), m_timeoutMs);
    if (reply.rc != CURLE_OK)
        return transportError(reply, m_socket, "network " + name);
    if (reply.code == 200 || reply.code == 404)
        return reply.code == 200;
    return httpError(reply, "looking up network " + name);
}

Result<std::string> ContainerEngine::create(const ContainerSpec& spec) const
{
    if (Status s = validate(spec); !s)
        return s;
    const std::string what = "creating container " + spec.name;
    const Reply reply =
        perform(m_socket, "POST", "/containers/create?name=" + encode(spec.name), m_timeoutMs, createBody(spec).dump());
    if (reply.rc != CURLE_OK)
        return transportError(reply, m_socket, what);
    if (reply.code == 404 && QString::fromStdString(engineMessage(reply)).contains("image", Qt::CaseInsensitive))
        return Status::notFound("image_not_found", "no image '" + spec.image + "' on the Docker engine");
    if (reply.code == 409)
        return Status::conflict("container_exists", "a container named '" + spec.name + "' exists already");
    if (reply.code != 201 && reply.code != 200)
        return httpError(reply, what);
    const std::string id = text(json::parse(reply.body, nullptr, false), "Id");
    if (id.empty())
        return Status::unprocessable("docker_error", what + " failed: the engine's answer has no Id");
    return id;
}

Status ContainerEngine::start(const std::string& idOrName) const
{
    return containerCall(m_socket, "POST", idOrName, "/start", m_timeoutMs, "starting container " + idOrName,
                         {204, 304});
}

Status ContainerEngine::stop(const std::string& idOrName, int graceSeconds) const
{
    graceSeconds = std::max(graceSeconds, 0);  // the call lasts up to the grace period, then the kill
    return containerCall(m_socket, "POST", idOrName, "/stop?t=" + std::to_string(graceSeconds),
                         m_timeoutMs + graceSeconds * 1000L, "stopping container " + idOrName, {204, 304});
}

Status ContainerEngine::remove(const std::string& idOrName, bool force) const
{
    return containerCall(m_socket, "DELETE", idOrName, force ? "?force=1" : "?force=0", m_timeoutMs,
                         "removing container " + idOrName, {204, 404});
}

Status ContainerEngine::rename(const std::string& idOrName, const std::string& newName) const
{
    Reply reply;
    const Status s = containerCall(m_socket, "POST", idOrName, "/rename?name=" + encode(newName), m_timeoutMs,
                                   "renaming container " + idOrName, {200, 204}, &reply);
    if (reply.rc == CURLE_OK && reply.code == 409)
        return Status::conflict("container_exists", "a container named '" + newName + "' exists already");
    return s;
}

Result<bool> ContainerEngine::imageHasCommand(const std::string& image) const
{
    const Reply reply = perform(m_socket, "GET", "/images/" + encode(image) + "/json", m_timeoutMs);
    if (reply.rc != CURLE_OK)
        return transportError(reply, m_socket, "inspecting image " + image);
    if (reply.code == 404)
        return Status::notFound("image_not_found", "the Docker engine has no image " + image);
    if (reply.code != 200)
        return httpError(reply, "inspecting image " + image);
    const json answer = json::parse(reply.body, nullptr, false);
    const json& config = member(answer, "Config");
    const auto set = [&](const char* key) { return config.is_object() && !member(config, key).empty(); };
    return set("Cmd") || set("Entrypoint");
}

Result<ContainerInfo> ContainerEngine::inspect(const std::string& idOrName) const
{
    Result<json> j = inspectJson(m_socket, m_timeoutMs, idOrName);
    if (!j)
        return j.status();
    return toInfo(*j);
}

Result<std::vector<ContainerInfo>> ContainerEngine::list(const std::map<std::string, std::string>& labels) const
{
    std::string path = "/containers/json?all=1";
    if (!labels.empty()) {
        json wanted = json::array();
        for (const auto& [key, value] : labels)
            wanted.push_back(key + "=" + value);
        path += "&filters=" + encode(json{{"label", wanted}}.dump());
    }
    const Reply reply = perform(m_socket, "GET", path, m_timeoutMs);
    if (reply.rc != CURLE_OK)
        return transportError(reply, m_socket, "listing containers");
    if (reply.code != 200)
        return httpError(reply, "listing containers");
    const json summaries = json::parse(reply.body, nullptr, false);
    if (!summaries.is_array())
        return Status::unprocessable("docker_error", "listing containers failed: the engine's answer is not a list");
    std::vector<ContainerInfo> containers;
    for (const json& summary : summaries) {
        Result<ContainerInfo> info = inspect(text(summary, "Id"));
        if (info)
            containers.push_back(std::move(*info));
        else if (info.status().code() != Status::Code::NotFound)  // NotFound: removed meanwhile
            return info.status();
    }
    return containers;
}

Result<std::vector<std::string>> ContainerEngine::logs(const std::string& idOrName, int tail) const
{
    const std::size_t wanted = static_cast<std::size_t>(std::clamp(tail, 0, kMaxTail));
    std::deque<std::string> lines;
    std::size_t bytes = 0;
    const auto keep = [&](std::string line) {
        bytes += line.size();
        lines.push_back(std::move(line));
        while (!lines.empty() && (lines.size() > wanted || bytes > kMaxBody)) {
            bytes -= lines.front().size();
            lines.pop_front();
        }
    };
    const std::function<bool()> never;
    if (Status s = streamLogs(m_socket, m_timeoutMs, idOrName, tail, false, keep, never); !s)
        return s;
    return std::vector<std::string>(std::make_move_iterator(lines.begin()), std::make_move_iterator(lines.end()));
}

Status ContainerEngine::followLogs(const std::string& idOrName, int tail,
                                   const std::function<void(const std::string&)>& onLine,
                                   const std::function<bool()>& cancelled) const
{
    const auto forward = [&onLine](std::string line) {
        if (onLine)
            onLine(line);
    };
    return streamLogs(m_socket, m_timeoutMs, idOrName, tail, true, forward, cancelled);
}

}  // namespace paas

#include "engine/build/dockerengine.h"

#include <QByteArray>
#include <QUrl>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>

namespace paas {

namespace {

void initCurl()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The response body arrives as newline-separated JSON objects.
struct PushStream {
    const std::function<void(const std::string&)>* onLog = nullptr;
    std::string pending;
    std::string body;  // kept (bounded) for non-200 answers
    std::string error;
    std::string digest;

    void line(const std::string& text)
    {
        const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
        if (!j.is_object())
            return;
        if (j.contains("error") && error.empty())
            error = j.value("error", std::string());
        if (j.contains("aux") && j["aux"].is_object())
            digest = j["aux"].value("Digest", digest);
        const std::string status = j.value("status", std::string());
        if (!status.empty() && !j.contains("progressDetail") && onLog && *onLog) {
            const std::string id = j.value("id", std::string());
            (*onLog)("push: " + (id.empty() ? "" : id + ": ") + status);
        }
    }

    void feed(const char* data, std::size_t size)
    {
        if (body.size() < 64 * 1024)
            body.append(data, std::min<std::size_t>(size, 64 * 1024 - body.size()));
        pending.append(data, size);
        for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
            line(pending.substr(0, nl));
            pending.erase(0, nl + 1);
        }
    }
};

std::size_t onData(char* data, std::size_t size, std::size_t count, void* user)
{
    static_cast<PushStream*>(user)->feed(data, size * count);
    return size * count;
}

std::string registryAuthHeader(const std::string& host, const std::optional<RegistryLogin>& login)
{
    nlohmann::json auth = nlohmann::json::object();
    if (login)
        auth = {{"username", login->username}, {"password", login->password}, {"serveraddress", host}};
    return "X-Registry-Auth: " +
           QByteArray::fromStdString(auth.dump()).toBase64(QByteArray::Base64UrlEncoding).toStdString();
}

}  // namespace

Result<std::string> DockerEngine::pushImage(const std::string& image, const std::optional<RegistryLogin>& login,
                                            const std::function<void(const std::string&)>& onLog, int timeoutMs) const
{
    const std::size_t colon = image.rfind(':');
    const std::size_t slash = image.rfind('/');
    if (colon == std::string::npos || (slash != std::string::npos && colon < slash))
        return Status::invalidArgument("invalid_image_name", "image '" + image + "' has no tag to push");
    const std::string name = image.substr(0, colon);
    const std::string tag = image.substr(colon + 1);
    initCurl();
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        return Status::internal("curl_failed", "could not start an HTTP client");
    const std::string url = "http://docker/images/" +
                            QUrl::toPercentEncoding(QString::fromStdString(name), "/:").toStdString() +
                            "/push?tag=" + QUrl::toPercentEncoding(QString::fromStdString(tag)).toStdString();
    curl_slist* headers =
        curl_slist_append(nullptr, registryAuthHeader(RegistryCredentials::normalizeHost(name), login).c_str());
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> headerList(headers, curl_slist_free_all);
    PushStream stream;
    stream.onLog = &onLog;
    curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, m_socket.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, onData);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &stream);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeoutMs));
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    const CURLcode rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK)
        return Status::unavailable("buildkit_unavailable", "the Docker engine at " + m_socket +
                                                               " did not complete the push: " + curl_easy_strerror(rc));
    if (!stream.pending.empty())
        stream.line(stream.pending);
    long code = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
    if (code != 200) {
        const nlohmann::json j = nlohmann::json::parse(stream.body, nullptr, false);
        const std::string message = j.is_object() ? j.value("message", stream.body) : stream.body;
        return Status::unprocessable("registry_push_failed",
                                     "pushing " + image + " failed: HTTP " + std::to_string(code) + ": " + message);
    }
    if (!stream.error.empty())
        return Status::unprocessable("registry_push_failed", "pushing " + image + " failed: " + stream.error);
    if (stream.digest.empty())
        return Status::unprocessable("registry_push_failed", "pushing " + image + " reported no digest");
    return stream.digest;
}

}  // namespace paas

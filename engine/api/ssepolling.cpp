#include "engine/api/ssepolling.h"

#include <QCryptographicHash>
#include <QList>

namespace paas::api {

namespace {
QByteArray opaque(QByteArray tag)
{
    tag = tag.trimmed();
    if (tag.startsWith("W/"))
        tag.remove(0, 2);
    return tag;
}
}  // namespace

QByteArray opEtag(const nlohmann::json& opJson)
{
    const std::string text = opJson.dump();
    const QByteArray digest = QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256);
    return '"' + digest.toHex().left(32) + '"';
}

bool etagMatches(const QByteArray& ifNoneMatch, const QByteArray& etag)
{
    const QByteArray header = ifNoneMatch.trimmed();
    if (header.isEmpty())
        return false;
    if (header == "*")
        return true;
    const QByteArray mine = opaque(etag);
    for (const QByteArray& candidate : header.split(','))
        if (opaque(candidate) == mine)
            return true;
    return false;
}

}  // namespace paas::api

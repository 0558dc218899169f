#pragma once
// constantTimeEquals: compares secrets (tokens, signatures) without leaking
// where they first differ. Only the sizes, which are not secret, may end it
// early. Thread-safe (pure).
#include <QByteArray>

namespace paas {

inline bool constantTimeEquals(const QByteArray& a, const QByteArray& b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace paas

#include "ui/sseparser.h"

namespace paas {

QList<SseEvent> SseParser::feed(const QByteArray& chunk)
{
    QList<SseEvent> out;
    for (const char c : chunk) {
        if (c == '\n' && m_lastWasCr) {  // second half of a CRLF
            m_lastWasCr = false;
            continue;
        }
        m_lastWasCr = (c == '\r');
        if (c == '\n' || c == '\r') {
            processLine(m_line, out);
            m_line.clear();
        } else {
            m_line.append(c);
        }
    }
    return out;
}

void SseParser::resetPartial()
{
    m_line.clear();
    m_lastWasCr = false;
    m_type.clear();
    m_data.clear();
    m_hasData = false;
}

void SseParser::processLine(const QByteArray& line, QList<SseEvent>& out)
{
    if (line.isEmpty()) {
        dispatch(out);
        return;
    }
    if (line.startsWith(':'))
        return;  // comment / keep-alive
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "event") {
        m_type = QString::fromUtf8(value);
    } else if (field == "data") {
        if (m_hasData)
            m_data += QLatin1Char('\n');
        m_data += QString::fromUtf8(value);
        m_hasData = true;
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_lastEventId = QString::fromUtf8(value);
    } else if (field == "retry") {
        bool ok = false;
        const int ms = value.toInt(&ok);
        if (ok && ms >= 0 && !value.startsWith('+') && !value.startsWith('-'))
            m_retryMs = ms;
    }
}

void SseParser::dispatch(QList<SseEvent>& out)
{
    if (m_hasData)
        out.append(SseEvent{m_lastEventId, m_type.isEmpty() ? QStringLiteral("message") : m_type, m_data});
    m_type.clear();
    m_data.clear();
    m_hasData = false;
}

}  // namespace paas

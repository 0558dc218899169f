#pragma once
// SseParser: incremental parser for the text/event-stream wire format
// (WHATWG HTML "Server-sent events", section "Parsing an event stream").
//
// Feed it arbitrary byte chunks as they arrive; it returns the events that
// were completed (terminated by a blank line) by that chunk. Lines end with
// CRLF, LF or CR; a chunk may split a line or a CRLF pair anywhere. Fields:
// `event:` (type, default "message"), `data:` (multiple lines joined by
// "\n"), `id:` (sticky last event id; ignored when it contains NUL),
// `retry:` (reconnection delay in ms, digits only). Lines starting with ':'
// are comments. One optional space after the colon is stripped.
//
// Thread affinity: none (a plain value type); use from one thread at a time.
#include <QByteArray>
#include <QList>
#include <QString>

namespace paas {

struct SseEvent {
    QString id;    // last event id in force when the event was dispatched
    QString type;  // "message" when no event: field was given
    QString data;
};

class SseParser {
public:
    QList<SseEvent> feed(const QByteArray& chunk);
    // Forget any partial line/event (on reconnect); keeps lastEventId.
    void resetPartial();

    const QString& lastEventId() const { return m_lastEventId; }
    void setLastEventId(const QString& id) { m_lastEventId = id; }
    // -1 until the server sent a retry: field.
    int retryMs() const { return m_retryMs; }

private:
    void processLine(const QByteArray& line, QList<SseEvent>& out);
    void dispatch(QList<SseEvent>& out);

    QByteArray m_line;
    bool m_lastWasCr = false;
    QString m_type;
    QString m_data;
    bool m_hasData = false;
    QString m_lastEventId;
    int m_retryMs = -1;
};

}  // namespace paas

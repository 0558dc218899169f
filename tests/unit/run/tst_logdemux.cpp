// LogDemux: the Engine API's multiplexed log frames, split anywhere, become
// the same lines; TTY streams pass through; "\r" and over-long lines.
#include "engine/run/logdemux.h"

#include <QtTest>

#include <string>
#include <vector>

using paas::LogDemux;

namespace {

std::string frame(int stream, const std::string& payload)
{
    std::string f(8, '\0');
    f[0] = static_cast<char>(stream);
    const auto n = static_cast<uint32_t>(payload.size());
    f[4] = static_cast<char>(n >> 24);
    f[5] = static_cast<char>(n >> 16);
    f[6] = static_cast<char>(n >> 8);
    f[7] = static_cast<char>(n);
    return f + payload;
}

std::vector<std::string> demux(bool multiplexed, const std::string& bytes, size_t chunk)
{
    std::vector<std::string> lines;
    LogDemux d(multiplexed, [&](std::string line) { lines.push_back(std::move(line)); });
    for (size_t at = 0; at < bytes.size(); at += chunk)
        d.feed(bytes.data() + at, std::min(chunk, bytes.size() - at));
    d.finish();
    return lines;
}

}  // namespace

class TestLogDemux : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void framesSplitAnywhereGiveTheSameLines()
    {
        // stdout's line spans two frames with a stderr frame between them.
        const std::string bytes = frame(1, "started on 8080\nhal") + frame(2, "warn: x\r\n") + frame(1, "f a line\n") +
                                  frame(2, "no newline at the end");
        const std::vector<std::string> want{"started on 8080", "warn: x", "half a line", "no newline at the end"};
        for (size_t chunk : {size_t(1), size_t(3), size_t(7), size_t(8), size_t(9), bytes.size()})
            QCOMPARE(demux(true, bytes, chunk), want);
    }

    void ttyStreamsPassThrough()
    {
        const std::vector<std::string> want{"one", "two", "three"};
        QCOMPARE(demux(false, "one\r\ntwo\nthree", 2), want);
    }

    void longLinesAreCut()
    {
        const std::string longLine(LogDemux::kMaxLine + 100, 'x');
        const std::vector<std::string> lines = demux(true, frame(1, longLine + "\nnext\n"), 4096);
        QCOMPARE(lines.size(), size_t(2));
        QCOMPARE(lines[0].size(), LogDemux::kMaxLine);
        QCOMPARE(lines[1], std::string("next"));
    }

    void emptyFramesAreHarmless()
    {
        const std::vector<std::string> want{"a"};
        QCOMPARE(demux(true, frame(1, "") + frame(1, "a\n") + frame(2, ""), 5), want);
    }
};

QTEST_GUILESS_MAIN(TestLogDemux)
#include "tst_logdemux.moc"

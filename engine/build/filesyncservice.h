#pragma once
// FileSyncService: the moby.filesync.v1.FileSync service a BuildKit session
// serves; this side is the *sender* of tonistiigi/fsutil's DiffCopy protocol.
//
// Per DiffCopy call (the daemon may run several at once, one per local):
//   - the local is chosen by the `dir-name` metadata ("context", "dockerfile"
//     or whatever locals were given); an unknown name is NOT_FOUND;
//   - `include-patterns`, `exclude-patterns` and `followpaths` (URL-decoded
//     when `<key>-encoded` is set) select and order the entries
//     (contextwalk.h); excluded files never leave the process;
//   - every entry is sent as a STAT (0-based IDs over all STATs; Go FileMode
//     bits; uid/gid 0; modTime derived from the blob id so it changes exactly
//     when the content does), then an empty STAT ends the listing;
//   - each REQ of a regular file's ID is answered with its bytes in DATA
//     chunks of at most 32 KiB and an empty DATA; an unknown or repeated ID
//     fails the call ("invalid file id N");
//   - the receiver's FIN is answered with FIN and the call ends OK; an ERR
//     from the receiver, a read error or the call's cancellation ends it with
//     an error (and an ERR packet where the stream still works).
// stats() sums what each local cost, over all calls.
//
// Thread affinity: DiffCopy runs on gRPC's threads, concurrently; each call
// uses one extra thread to read the receiver's packets. stats() is
// thread-safe. The locals' read() must be thread-safe.
#include "engine/build/buildkitclient.h"
#include "engine/build/proto/filesync.grpc.pb.h"

#include <map>
#include <mutex>
#include <string>

namespace paas {

class FileSyncService final : public moby::filesync::v1::FileSync::Service {
public:
    static constexpr std::size_t kChunkBytes = 32 * 1024;

    explicit FileSyncService(std::map<std::string, BuildLocal> locals);

    grpc::Status DiffCopy(grpc::ServerContext* context,
                          grpc::ServerReaderWriter<fsutil::types::Packet, fsutil::types::Packet>* stream) override;

    TransferStats stats(const std::string& local) const;
    // The first error a DiffCopy call ended with, for the build's message.
    std::string firstError() const;

private:
    void record(const std::string& local, const TransferStats& add, const std::string& error);

    const std::map<std::string, BuildLocal> m_locals;
    mutable std::mutex m_mutex;
    std::map<std::string, TransferStats> m_stats;
    std::string m_firstError;
};

// The Go os.FileMode bits fsutil uses in Stat.mode, and the file time paas
// gives a blob (stable, content-derived; nanoseconds since the Unix epoch).
std::uint32_t fsutilMode(const TreeEntryRef& entry);
std::int64_t contentTime(const std::string& blobId);

}  // namespace paas

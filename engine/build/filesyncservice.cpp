#include "engine/build/filesyncservice.h"

#include "engine/build/contextwalk.h"

#include <QByteArray>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <thread>

namespace paas {

namespace fst = fsutil::types;

namespace {

constexpr std::uint32_t kModeDir = 1u << 31;
constexpr std::uint32_t kModeSymlink = 1u << 27;
constexpr std::int64_t kEpoch2000Ns = 946684800LL * 1000000000LL;

// All values of one metadata key, URL-unescaped when `<key>-encoded` is set.
std::vector<std::string> metadataValues(const grpc::ServerContext& ctx, const std::string& key)
{
    const auto& md = ctx.client_metadata();
    const bool encoded = md.find(key + "-encoded") != md.end();
    std::vector<std::string> out;
    for (auto [it, end] = md.equal_range(key); it != end; ++it) {
        std::string value(it->second.data(), it->second.size());
        if (encoded) {
            QByteArray bytes = QByteArray::fromStdString(value).replace('+', ' ');
            value = QByteArray::fromPercentEncoding(bytes).toStdString();
        }
        out.push_back(std::move(value));
    }
    return out;
}

// Receiver packets, collected by the reader thread for the sending thread.
struct Inbox {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::uint32_t> requests;
    bool fin = false;
    bool closed = false;
    std::string error;
};

void readPackets(grpc::ServerReaderWriter<fst::Packet, fst::Packet>* stream, Inbox& inbox)
{
    fst::Packet p;
    bool more = true;
    while (more && stream->Read(&p)) {
        std::lock_guard lock(inbox.mu);
        if (p.type() == fst::Packet::PACKET_REQ) {
            inbox.requests.push_back(p.id());
        } else if (p.type() == fst::Packet::PACKET_FIN) {
            inbox.fin = true;
            more = false;
        } else if (p.type() == fst::Packet::PACKET_ERR) {
            inbox.error = "error from receiver: " + p.data();
            more = false;
        }
        inbox.cv.notify_all();
    }
    std::lock_guard lock(inbox.mu);
    inbox.closed = true;
    inbox.cv.notify_all();
}

// One DiffCopy call: the STAT listing, then the requested files' bytes.
class Transfer {
public:
    Transfer(grpc::ServerContext* ctx, grpc::ServerReaderWriter<fst::Packet, fst::Packet>* stream,
             const BuildLocal& local, std::vector<WalkItem> items)
        : m_ctx(ctx), m_stream(stream), m_local(local), m_items(std::move(items)), m_served(m_items.size(), false)
    {
    }

    Status run(Inbox& inbox)
    {
        if (Status st = sendListing(); !st)
            return st;
        for (;;) {
            std::unique_lock lock(inbox.mu);
            inbox.cv.wait_for(lock, std::chrono::milliseconds(200), [&] {
                return !inbox.requests.empty() || inbox.fin || inbox.closed || !inbox.error.empty();
            });
            if (!inbox.error.empty())
                return Status::unavailable("filesync_failed", inbox.error);
            if (!inbox.requests.empty()) {
                const std::uint32_t id = inbox.requests.front();
                inbox.requests.pop_front();
                lock.unlock();
                if (Status st = sendFile(id); !st)
                    return st;
                continue;
            }
            if (inbox.fin)
                return send(finPacket()) ? Status::ok() : lost();
            if (inbox.closed || m_ctx->IsCancelled())
                return Status::unavailable("filesync_failed", "the receiver ended the transfer early");
        }
    }

    TransferStats stats() const { return m_stats; }

private:
    static fst::Packet finPacket()
    {
        fst::Packet p;
        p.set_type(fst::Packet::PACKET_FIN);
        return p;
    }

    static Status lost() { return Status::unavailable("filesync_failed", "the session stream broke"); }

    bool send(const fst::Packet& p) { return m_stream->Write(p); }

    Status sendListing()
    {
        fst::Packet p;
        p.set_type(fst::Packet::PACKET_STAT);
        for (const WalkItem& item : m_items) {
            fst::Stat* st = p.mutable_stat();
            st->Clear();
            st->set_path(item.path);
            if (item.entry < 0) {
                st->set_mode(kModeDir | 0755);
                st->set_modtime(kEpoch2000Ns);
            } else {
                const TreeEntryRef& e = m_local.listing[static_cast<std::size_t>(item.entry)];
                st->set_mode(fsutilMode(e));
                st->set_size(static_cast<std::int64_t>(e.mode == 0120000 ? e.linkTarget.size() : e.size));
                st->set_linkname(e.mode == 0120000 ? e.linkTarget : std::string());
                st->set_modtime(contentTime(e.blobId));
            }
            if (!send(p))
                return lost();
        }
        m_stats.entries += m_items.size();
        p.clear_stat();  // the terminator: a STAT packet without a stat
        return send(p) ? Status::ok() : lost();
    }

    Status sendFile(std::uint32_t id)
    {
        const bool known = id < m_items.size() && m_items[id].entry >= 0 && !m_served[id] &&
                           m_local.listing[static_cast<std::size_t>(m_items[id].entry)].mode != 0120000;
        if (!known)
            return Status::invalidArgument("filesync_failed", "invalid file id " + std::to_string(id));
        m_served[id] = true;
        const TreeEntryRef& e = m_local.listing[static_cast<std::size_t>(m_items[id].entry)];
        Result<std::string> bytes = m_local.read(e);
        if (!bytes)
            return Status(bytes.status().code(), "filesync_failed",
                          "cannot read " + e.path + ": " + bytes.status().message());
        fst::Packet p;
        p.set_type(fst::Packet::PACKET_DATA);
        p.set_id(id);
        for (std::size_t off = 0; off < bytes->size(); off += FileSyncService::kChunkBytes) {
            p.set_data(bytes->substr(off, FileSyncService::kChunkBytes));
            if (!send(p))
                return lost();
        }
        p.clear_data();
        if (!send(p))
            return lost();
        m_stats.filesSent += 1;
        m_stats.bytesSent += bytes->size();
        return Status::ok();
    }

    grpc::ServerContext* m_ctx;
    grpc::ServerReaderWriter<fst::Packet, fst::Packet>* m_stream;
    const BuildLocal& m_local;
    std::vector<WalkItem> m_items;
    std::vector<bool> m_served;
    TransferStats m_stats;
};

void sendError(grpc::ServerReaderWriter<fst::Packet, fst::Packet>* stream, const std::string& message)
{
    fst::Packet p;
    p.set_type(fst::Packet::PACKET_ERR);
    p.set_data(message);
    stream->Write(p);
}

}  // namespace

std::uint32_t fsutilMode(const TreeEntryRef& entry)
{
    if (entry.mode == 0120000)
        return kModeSymlink | 0777;
    return entry.mode == 0100755 ? 0755 : 0644;
}

std::int64_t contentTime(const std::string& blobId)
{
    // 48 bits of the content address: ~3.3 days of nanoseconds after 2000-01-01.
    std::int64_t bits = 0;
    for (std::size_t i = 0; i < 12 && i < blobId.size(); ++i) {
        const char c = blobId[i];
        const int v = c >= '0' && c <= '9' ? c - '0' : (c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0);
        bits = (bits << 4) | v;
    }
    return kEpoch2000Ns + bits;
}

FileSyncService::FileSyncService(std::map<std::string, BuildLocal> locals) : m_locals(std::move(locals)) {}

grpc::Status FileSyncService::DiffCopy(grpc::ServerContext* context,
                                       grpc::ServerReaderWriter<fst::Packet, fst::Packet>* stream)
{
    const std::vector<std::string> names = metadataValues(*context, "dir-name");
    const std::string name = names.empty() ? std::string() : names.front();
    const auto local = m_locals.find(name);
    if (local == m_locals.end())
        return grpc::Status(grpc::StatusCode::NOT_FOUND, "no access allowed to dir \"" + name + "\"");
    const ContextFilter filter{metadataValues(*context, "include-patterns"),
                               metadataValues(*context, "exclude-patterns"), metadataValues(*context, "followpaths")};
    Result<std::vector<WalkItem>> items = walkContext(local->second.listing, filter);
    if (!items) {
        sendError(stream, items.status().message());
        record(name, {}, items.status().message());
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, items.status().message());
    }
    Transfer transfer(context, stream, local->second, std::move(*items));
    Inbox inbox;
    std::thread reader(readPackets, stream, std::ref(inbox));
    const Status result = transfer.run(inbox);
    if (!result) {
        sendError(stream, result.message());
        context->TryCancel();  // unblocks the reader
    }
    reader.join();
    TransferStats add = transfer.stats();
    add.transfers = 1;
    record(name, add, result ? std::string() : result.message());
    return result ? grpc::Status::OK : grpc::Status(grpc::StatusCode::UNAVAILABLE, result.message());
}

void FileSyncService::record(const std::string& local, const TransferStats& add, const std::string& error)
{
    std::lock_guard lock(m_mutex);
    TransferStats& s = m_stats[local];
    s.transfers += add.transfers;
    s.entries += add.entries;
    s.filesSent += add.filesSent;
    s.bytesSent += add.bytesSent;
    if (m_firstError.empty() && !error.empty())
        m_firstError = local + ": " + error;
}

TransferStats FileSyncService::stats(const std::string& local) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_stats.find(local);
    return it == m_stats.end() ? TransferStats{} : it->second;
}

std::string FileSyncService::firstError() const
{
    std::lock_guard lock(m_mutex);
    return m_firstError;
}

}  // namespace paas

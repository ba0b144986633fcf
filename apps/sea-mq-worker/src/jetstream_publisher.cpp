#include "jetstream_publisher.hpp"

#include "log.hpp"

#include <nats/nats.h>

#include <fmt/core.h>

#include <memory>

namespace sea::worker {
namespace {

using sea::apps::logf;

void connectedTrampoline(natsConnection*, void* closure) { static_cast<JetStreamPublisher*>(closure)->onConnected(); }
void disconnectedTrampoline(natsConnection*, void* closure) {
    static_cast<JetStreamPublisher*>(closure)->onDisconnected();
}
void reconnectedTrampoline(natsConnection*, void* closure) {
    static_cast<JetStreamPublisher*>(closure)->onReconnected();
}

std::string describe(natsStatus status, jsErrCode code) {
    std::string text = natsStatus_GetText(status);
    if (code != 0) text += fmt::format(" (jetstream error {})", static_cast<int>(code));
    const char* last = nats_GetLastError(nullptr);
    if (last != nullptr && *last != '\0') text += fmt::format(": {}", last);
    return text;
}

struct StreamInfoDeleter {
    void operator()(jsStreamInfo* info) const { jsStreamInfo_Destroy(info); }
};
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, StreamInfoDeleter>;

// Nanoseconds as seconds for log lines ("120", "0.5").
std::string seconds(std::int64_t nanoseconds) {
    if (nanoseconds % 1'000'000'000 == 0) return std::to_string(nanoseconds / 1'000'000'000);
    return fmt::format("{:g}", static_cast<double>(nanoseconds) / 1e9);
}

void require(natsStatus status, const char* what) {
    if (status != NATS_OK) throw PublisherError(fmt::format("{}: {}", what, natsStatus_GetText(status)));
}

}  // namespace

JetStreamPublisher::JetStreamPublisher(const WorkerConfig& config, WorkerMetrics& metrics)
    : config_(config), metrics_(metrics) {}

JetStreamPublisher::~JetStreamPublisher() {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (connection_ != nullptr) {
        natsConnection_Close(connection_);
        natsConnection_Destroy(connection_);
    }
    if (options_ != nullptr) natsOptions_Destroy(options_);
}

void JetStreamPublisher::start() {
    require(natsOptions_Create(&options_), "natsOptions_Create");
    std::vector<const char*> servers;
    for (const auto& server : config_.natsServers) servers.push_back(server.c_str());
    require(natsOptions_SetServers(options_, servers.data(), static_cast<int>(servers.size())), "NATS_URL servers");
    require(natsOptions_SetName(options_, "sea-mq-worker"), "name");
#ifdef SEA_MUTANT_NO_NATS_RECONNECT
    // MUTANT: "no reconnect storms against a restarting broker": a lost connection is closed for good and
    // nothing creates a new one (the first connect is still retried), so the worker never relays again.
    require(natsOptions_SetAllowReconnect(options_, false), "allow reconnect");
#else
    require(natsOptions_SetAllowReconnect(options_, true), "allow reconnect");
#endif
    require(natsOptions_SetMaxReconnect(options_, -1), "max reconnect");
    require(natsOptions_SetReconnectWait(options_, 250), "reconnect wait");
    require(natsOptions_SetTimeout(options_, 2000), "connect timeout");
    require(natsOptions_SetPingInterval(options_, 2000), "ping interval");
    require(natsOptions_SetMaxPingsOut(options_, 2), "max pings out");
    require(natsOptions_SetDisconnectedCB(options_, disconnectedTrampoline, this), "disconnected callback");
    require(natsOptions_SetReconnectedCB(options_, reconnectedTrampoline, this), "reconnected callback");
    require(natsOptions_SetRetryOnFailedConnect(options_, true, connectedTrampoline, this), "retry on failed connect");

    const natsStatus status = natsConnection_Connect(&connection_, options_);
    if (status == NATS_OK) {
        onConnected();
    } else if (status == NATS_NOT_YET_CONNECTED) {
        logf("nats", "not reachable yet, connecting in the background");
    } else {
        throw PublisherError(fmt::format("NATS connect: {}", describe(status, jsErrCode(0))));
    }
    jsOptions jsOpts;
    require(jsOptions_Init(&jsOpts), "jsOptions_Init");
    jsOpts.Wait = kPublishAckWaitMs;
    require(natsConnection_JetStream(&js_, connection_, &jsOpts), "JetStream context");
}

bool JetStreamPublisher::connected() const {
    return connection_ != nullptr && natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
}

std::uint64_t JetStreamPublisher::connectionEpoch() const { return epoch_.load(); }

void JetStreamPublisher::onConnected() {
    epoch_.fetch_add(1);
    char url[256] = {0};
    if (connection_ != nullptr) natsConnection_GetConnectedUrl(connection_, url, sizeof url);
    logf("nats", "connected {}", url);
}

void JetStreamPublisher::onDisconnected() { logf("nats", "disconnected"); }

void JetStreamPublisher::onReconnected() {
    epoch_.fetch_add(1);
    metrics_.natsReconnects.fetch_add(1);
    char url[256] = {0};
    natsConnection_GetConnectedUrl(connection_, url, sizeof url);
    logf("nats", "reconnected {}", url);
}

void JetStreamPublisher::ensureStream() {
#ifdef SEA_MUTANT_SHORT_DUP_WINDOW
    const std::chrono::seconds window = kMutantDuplicatesWindow;
#else
    const std::chrono::seconds window = config_.duplicatesWindow;
#endif
    jsErrCode code = jsErrCode(0);
    jsStreamInfo* found = nullptr;
    natsStatus status = js_GetStreamInfo(&found, js_, config_.stream.c_str(), nullptr, &code);
    if (status == NATS_OK) {
        const StreamInfoPtr info(found);
#ifndef SEA_MUTANT_SHORT_DUP_WINDOW
        if (info->Config != nullptr) raiseDuplicatesWindow(*info->Config, window);
#endif
        return;
    }
    if (status != NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
        throw PublisherError(fmt::format("stream info {}: {}", config_.stream, describe(status, code)));
    }
    jsStreamConfig stream;
    require(jsStreamConfig_Init(&stream), "jsStreamConfig_Init");
    std::vector<const char*> subjects;
    for (const auto& subject : config_.subjects) subjects.push_back(subject.c_str());
    stream.Name = config_.stream.c_str();
    stream.Subjects = subjects.data();
    stream.SubjectsLen = static_cast<int>(subjects.size());
    stream.Storage = js_FileStorage;
    stream.Replicas = 1;
    stream.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(window).count();
    code = jsErrCode(0);
    jsStreamInfo* created = nullptr;
    status = js_AddStream(&created, js_, &stream, nullptr, &code);
    if (status != NATS_OK) {
        throw PublisherError(fmt::format("add stream {}: {}", config_.stream, describe(status, code)));
    }
    jsStreamInfo_Destroy(created);
    logf("nats", "created stream {} (duplicates window {}s)", config_.stream, window.count());
}

void JetStreamPublisher::raiseDuplicatesWindow(const jsStreamConfig& current, std::chrono::nanoseconds wanted) {
    std::int64_t target = wanted.count();
    // The server refuses a window longer than max_age (messages older than that are gone anyway).
    if (current.MaxAge > 0 && target > current.MaxAge) target = current.MaxAge;
    if (current.Duplicates >= target) return;
    jsStreamConfig updated = current;  // the stream's own configuration (strings owned by its info)
    updated.Duplicates = target;
    jsErrCode code = jsErrCode(0);
    jsStreamInfo* after = nullptr;
    const natsStatus status = js_UpdateStream(&after, js_, &updated, nullptr, &code);
    if (status != NATS_OK) {
        // Not fatal: relaying with the shorter window beats not relaying; the bound is that window.
        logf("nats", "WARNING: could not raise duplicates window of stream {} from {}s to {}s ({}); exactly-once "
             "holds only for interruptions shorter than {}s", config_.stream, seconds(current.Duplicates),
             seconds(target), describe(status, code), seconds(current.Duplicates));
        return;
    }
    jsStreamInfo_Destroy(after);
    logf("nats", "raised duplicates window of stream {} from {}s to {}s{}", config_.stream, seconds(current.Duplicates),
         seconds(target), target < wanted.count() ? " (capped at the stream's max_age)" : "");
}

PublishResult JetStreamPublisher::publish(const OutboxRow& row) {
    natsMsg* msg = nullptr;
    natsStatus status = natsMsg_Create(&msg, row.subject.c_str(), nullptr, row.payload.data(),
                                       static_cast<int>(row.payload.size()));
    if (status != NATS_OK) return {false, false, fmt::format("create message: {}", natsStatus_GetText(status))};
#ifndef SEA_MUTANT_NO_MSG_ID
    status = natsMsgHeader_Set(msg, "Nats-Msg-Id", row.id.c_str());
#endif
    if (status != NATS_OK) {
        natsMsg_Destroy(msg);
        return {false, false, fmt::format("set Nats-Msg-Id: {}", natsStatus_GetText(status))};
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = kPublishAckWaitMs;
    options.ExpectStream = config_.stream.c_str();
    jsPubAck* ack = nullptr;
    jsErrCode code = jsErrCode(0);
    status = js_PublishMsg(&ack, js_, msg, &options, &code);
    natsMsg_Destroy(msg);
    if (status != NATS_OK) return {false, false, describe(status, code)};
    PublishResult result{true, ack->Duplicate, {}};
    jsPubAck_Destroy(ack);
    return result;
}

void JetStreamPublisher::publishNoAck(const OutboxRow& row) {
    natsMsg* msg = nullptr;
    if (natsMsg_Create(&msg, row.subject.c_str(), nullptr, row.payload.data(), static_cast<int>(row.payload.size())) !=
        NATS_OK) {
        return;
    }
    natsMsgHeader_Set(msg, "Nats-Msg-Id", row.id.c_str());
    natsConnection_PublishMsg(connection_, msg);
    natsMsg_Destroy(msg);
}

}  // namespace sea::worker

#pragma once
// NATS JetStream implementation of EventPublisher (cnats 3.4.x).
//
// One natsConnection for the process life. start() never blocks on an unreachable server: it uses
// RetryOnFailedConnect with a connected callback, MaxReconnect -1 (forever) and ReconnectWait 250 ms,
// so the library keeps (re)connecting in the background; connected() reads the live status.
// publish() sets header Nats-Msg-Id = row id and ExpectStream = the configured stream, and waits at
// most kPublishAckWaitMs for the ack; a timeout while NATS restarts is an ordinary failed publish
// (the row stays unpublished; a late-stored copy is absorbed by the dedupe window on re-send).
// ensureStream() creates the stream (file storage, Duplicates window = config.duplicatesWindow) when
// missing. An existing stream keeps its configuration, except that a Duplicates window shorter than the
// configured one is raised to it (js_UpdateStream with the stream's own config, one log line); a longer
// window is never shrunk, and a refused update is logged as a WARNING (the stream is used as it is).
// A re-send of a published-but-unmarked row (e.g. PostgreSQL lost between publish and commit) is
// dropped by Nats-Msg-Id only within that window: the window bounds exactly-once.
#include "event_publisher.hpp"
#include "worker_config.hpp"
#include "worker_metrics.hpp"

#include <atomic>
#include <chrono>

struct __natsConnection;
struct __natsOptions;
struct __jsCtx;
struct jsStreamConfig;

namespace sea::worker {

constexpr std::int64_t kPublishAckWaitMs = 2000;
#ifdef SEA_MUTANT_SHORT_DUP_WINDOW
// MUTANT: the old fixed 2-minute window, never applied to an existing stream.
constexpr std::chrono::seconds kMutantDuplicatesWindow{120};
#endif

class JetStreamPublisher final : public EventPublisher {
public:
    JetStreamPublisher(const WorkerConfig& config, WorkerMetrics& metrics);
    ~JetStreamPublisher() override;
    JetStreamPublisher(const JetStreamPublisher&) = delete;
    JetStreamPublisher& operator=(const JetStreamPublisher&) = delete;

    // Starts connecting (returns at once; throws PublisherError only for invalid options).
    void start();

    bool connected() const override;
    std::uint64_t connectionEpoch() const override;
    void ensureStream() override;
    PublishResult publish(const OutboxRow& row) override;
    void publishNoAck(const OutboxRow& row) override;

    // cnats callbacks (public for the C trampolines).
    void onConnected();
    void onDisconnected();
    void onReconnected();

private:
    // Raises the existing stream's Duplicates window to `wanted` (never lowers it; capped at MaxAge,
    // which the server requires); logs one line when it changes it or the server refuses.
    void raiseDuplicatesWindow(const ::jsStreamConfig& current, std::chrono::nanoseconds wanted);

    const WorkerConfig& config_;
    WorkerMetrics& metrics_;
    __natsOptions* options_ = nullptr;
    __natsConnection* connection_ = nullptr;
    __jsCtx* js_ = nullptr;
    std::atomic<std::uint64_t> epoch_{0};
};

}  // namespace sea::worker

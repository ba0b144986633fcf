#pragma once
// NATS JetStream implementation of EventPublisher (cnats 3.4.x).
//
// One natsConnection for the process life. start() never blocks on an unreachable server: it uses
// RetryOnFailedConnect with a connected callback, MaxReconnect -1 (forever) and ReconnectWait 250 ms,
// so the library keeps (re)connecting in the background; connected() reads the live status.
// publish() sets header Nats-Msg-Id = row id and ExpectStream = the configured stream, and waits at
// most kPublishAckWaitMs for the ack; a timeout while NATS restarts is an ordinary failed publish
// (the row stays unpublished; a late-stored copy is absorbed by the dedupe window on re-send).
// ensureStream() creates the stream (file storage, Duplicates window kDuplicatesWindow) when missing
// and leaves an existing stream's configuration alone.
#include "event_publisher.hpp"
#include "worker_config.hpp"
#include "worker_metrics.hpp"

#include <atomic>
#include <chrono>

struct __natsConnection;
struct __natsOptions;
struct __jsCtx;

namespace sea::worker {

constexpr std::int64_t kPublishAckWaitMs = 2000;
constexpr std::chrono::seconds kDuplicatesWindow{120};

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
    const WorkerConfig& config_;
    WorkerMetrics& metrics_;
    __natsOptions* options_ = nullptr;
    __natsConnection* connection_ = nullptr;
    __jsCtx* js_ = nullptr;
    std::atomic<std::uint64_t> epoch_{0};
};

}  // namespace sea::worker

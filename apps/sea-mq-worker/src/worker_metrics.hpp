#pragma once
// Process-wide counters of sea-mq-worker, exported in the Prometheus text format on /metrics.
#include <atomic>
#include <cstdint>
#include <string>

namespace sea::worker {

struct WorkerMetrics {
    std::atomic<std::uint64_t> published{0};       // rows acked by JetStream AND marked published (committed)
    std::atomic<std::uint64_t> publishRetries{0};  // publish attempts that failed and will be retried
    std::atomic<std::uint64_t> dbReconnects{0};    // successful PostgreSQL reconnects after a lost connection
    std::atomic<std::uint64_t> natsReconnects{0};  // NATS reconnects reported by the client library
    std::atomic<std::uint64_t> claimed{0};         // rows claimed (locked) for publishing, re-claims included

    std::string renderPrometheus() const;
};

}  // namespace sea::worker

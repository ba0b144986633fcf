#include "worker_metrics.hpp"

#include <fmt/core.h>

namespace sea::worker {

std::string WorkerMetrics::renderPrometheus() const {
    std::string out;
    const auto counter = [&out](const char* name, const char* help, std::uint64_t value) {
        out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, value);
    };
    counter("sea_worker_published_total", "Outbox rows acked by JetStream and marked published.", published.load());
    counter("sea_worker_publish_retries_total", "Failed publish attempts that will be retried.",
            publishRetries.load());
    counter("sea_worker_db_reconnects_total", "PostgreSQL reconnects after a lost connection.", dbReconnects.load());
    counter("sea_worker_nats_reconnects_total", "NATS reconnects.", natsReconnects.load());
    counter("sea_worker_claimed_total", "Outbox rows claimed for publishing (re-claims included).", claimed.load());
    return out;
}

}  // namespace sea::worker

#pragma once
// Configuration of sea-mq-worker, read from environment variables (see loadWorkerConfig).
#include "env_parse.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace sea::worker {

// Default JetStream duplicate window of the outbox stream. A row published but not yet marked (e.g.
// PostgreSQL lost between publish and commit) is re-sent later; JetStream drops that copy only within
// this window, so exactly-once holds for any such interruption shorter than it.
constexpr std::chrono::seconds kDefaultDuplicatesWindow{1200};
constexpr long long kMaxDuplicatesWindowS = 86400;

struct WorkerConfig {
    std::string databaseUrl;                  // DATABASE_URL (required): postgresql://... or postgres://...
    std::vector<std::string> natsServers;     // NATS_URL: comma-separated nats://host:port, default nats://127.0.0.1:4222
    std::string stream = "SEA_OUTBOX";        // OUTBOX_STREAM: JetStream stream name
    std::vector<std::string> subjects{"sea.outbox.>"};  // OUTBOX_SUBJECTS: comma-separated subjects of the stream
    int batchSize = 100;                      // OUTBOX_BATCH_SIZE: 1..10000
    std::chrono::milliseconds pollInterval{200};  // OUTBOX_POLL_INTERVAL_MS: 10..60000
    int httpPort = 9090;                      // WORKER_HTTP_PORT: 0..65535 (0 = OS-chosen, logged)
    // WORKER_DUPLICATES_WINDOW_S: 1..86400, the stream's Duplicates window; an existing stream with a
    // shorter one is raised to it at start-up/reconnect, a longer one is kept.
    std::chrono::seconds duplicatesWindow = kDefaultDuplicatesWindow;
};

// Reads and validates every variable; throws sea::apps::ConfigError naming the first bad variable.
WorkerConfig loadWorkerConfig(const sea::apps::EnvLookup& env);

// Splits "a, b,c" into trimmed, non-empty items; throws ConfigError naming `variable` on an empty item.
std::vector<std::string> splitList(const std::string& variable, const std::string& text);

}  // namespace sea::worker

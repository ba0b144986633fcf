// sea-mq-worker: relays the PostgreSQL transactional outbox to NATS JetStream (see outbox_relay.hpp).
// Exit codes: 0 after SIGTERM/SIGINT, 2 for bad configuration (one line naming the variable), 1 for
// other startup failures (e.g. the HTTP port is taken).
#include "jetstream_publisher.hpp"
#include "log.hpp"
#include "outbox_relay.hpp"
#include "pg_outbox_store.hpp"
#include "stop_signal.hpp"
#include "worker_config.hpp"
#include "worker_http.hpp"

#include <nats/nats.h>

#include <cstdio>
#include <fmt/core.h>

int main() {
    using namespace sea::worker;
    using sea::apps::logf;
    WorkerConfig config;
    try {
        config = loadWorkerConfig(sea::apps::processEnv());
    } catch (const sea::apps::ConfigError& error) {
        std::fprintf(stderr, "sea-mq-worker: %s\n", error.what());
        return 2;
    }
    static sea::apps::StopSignal stop;
    sea::apps::installTerminationHandler(stop);
#ifdef SEA_MUTANT_BUILD
    logf("main", "WARNING: this is a MUTANT build for chaos-suite detection tests, not for production");
#endif
    try {
        WorkerMetrics metrics;
        PgOutboxStore store(config.databaseUrl);
        JetStreamPublisher publisher(config, metrics);
        publisher.start();
        WorkerHttpServer http(metrics, {[&store] { return store.connected(); },
                                        [&publisher] { return publisher.connected(); }});
        const int port = http.start("0.0.0.0", config.httpPort);
        logf("main", "sea-mq-worker started: stream={} batch={} poll={}ms duplicates_window={}s http=0.0.0.0:{}",
             config.stream, config.batchSize, config.pollInterval.count(), config.duplicatesWindow.count(), port);
        RelayOptions options;
        options.batchSize = config.batchSize;
        options.pollInterval = config.pollInterval;
        OutboxRelay relay(store, publisher, metrics, options, stop);
        relay.run();
        http.stop();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "sea-mq-worker: %s\n", error.what());
        return 1;
    }
    nats_Close();
    logf("main", "sea-mq-worker stopped");
    return 0;
}

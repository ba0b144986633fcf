// sea-mq-worker-bench: end-to-end relay throughput (rows/s from committed outbox rows to JetStream acks
// marked in PostgreSQL). Starts local PostgreSQL + nats-server, pre-inserts N rows, starts the worker and
// measures until every row is marked published.  Usage: sea-mq-worker-bench [rows=20000] [batch=100]
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/child_process.hpp"
#include "sea/testsupport/local_nats.hpp"
#include "sea/testsupport/local_postgres.hpp"
#include "sea/testsupport/poll.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/temp_dir.hpp"

#include <fmt/core.h>

#include <cstdlib>
#include <map>

int main(int argc, char** argv) {
    using namespace sea::testsupport;
    using namespace std::chrono_literals;
    const int rows = argc > 1 ? std::atoi(argv[1]) : 20000;
    const int batch = argc > 2 ? std::atoi(argv[2]) : 100;
    if (rows < 1 || rows > 1000000 || batch < 1 || batch > 10000) {
        fmt::print(stderr, "usage: sea-mq-worker-bench [rows 1..1000000] [batch 1..10000]\n");
        return 2;
    }
    try {
        if (!postgres_bin_dir() || !nats_server_binary()) {
            throw std::runtime_error("PostgreSQL 15 binaries or nats-server missing");
        }
        LocalPostgres postgres;
        postgres.apply_sql_file(SEA_MIGRATION_SQL);
        LocalNats nats;
        postgres.apply_sql(fmt::format(
            "INSERT INTO outbox_events (id, aggregate, subject, payload) SELECT gen_random_uuid(), 'order', "
            "'sea.outbox.order.created', jsonb_build_object('n', g, 'pad', repeat('x', 200)) "
            "FROM generate_series(1, {}) g",
            rows));
        TempDir logs("sea-worker-bench-");
        const auto start = std::chrono::steady_clock::now();
        ChildProcess worker({SEA_WORKER_BIN}, logs.path() + "/worker.log",
                            {{"DATABASE_URL", postgres.url()},
                             {"NATS_URL", nats.url()},
                             {"WORKER_HTTP_PORT", std::to_string(free_loopback_port())},
                             {"OUTBOX_BATCH_SIZE", std::to_string(batch)}});
        const bool done = poll_until(
            600s, [&] { return postgres.scalar("SELECT count(*) FROM outbox_events WHERE published_at IS NULL") == "0"; },
            20ms);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!done) throw std::runtime_error("relay did not finish within 600 s");
        fmt::print("sea-mq-worker relay: {} rows, batch {}, {:.2f} s (incl. worker start), {:.0f} rows/s\n", rows,
                   batch, seconds, rows / seconds);
    } catch (const std::exception& error) {
        fmt::print(stderr, "sea-mq-worker-bench: {}\n", error.what());
        return 1;
    }
    return 0;
}

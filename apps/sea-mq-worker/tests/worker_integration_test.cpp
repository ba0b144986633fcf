// Integration tests of the real sea-mq-worker binary against a real PostgreSQL 15 and nats-server -js,
// both started by the test on free loopback ports.
#include "jetstream_reader.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/child_process.hpp"
#include "sea/testsupport/local_nats.hpp"
#include "sea/testsupport/local_postgres.hpp"
#include "sea/testsupport/poll.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/subprocess.hpp"
#include "sea/testsupport/temp_dir.hpp"

#include <httplib.h>
#include <libpq-fe.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <fmt/core.h>
#include <map>
#include <set>

namespace sea::worker {
namespace {

using namespace sea::testsupport;
using namespace std::chrono_literals;

// The binary under test: $SEA_WORKER_BIN overrides the built one (e.g. to run a mutant through these tests).
std::string binaryUnderTest() {
    const char* fromEnv = std::getenv("SEA_WORKER_BIN");
    return fromEnv != nullptr ? fromEnv : SEA_WORKER_BIN;
}


class WorkerIntegration : public ::testing::Test {
protected:
    void SetUp() override {
        SEA_REQUIRE_BINARY(postgres_bin_dir(), "PostgreSQL 15 server binaries (initdb, pg_ctl)");
        SEA_REQUIRE_BINARY(nats_server_binary(), "nats-server");
        postgres = std::make_unique<LocalPostgres>();
        postgres->apply_sql_file(SEA_MIGRATION_SQL);
        nats = std::make_unique<LocalNats>();
        httpPort = free_loopback_port();
    }

    void startWorker(int batchSize = 100) {
        std::map<std::string, std::string> env{{"DATABASE_URL", postgres->url()},
                                               {"NATS_URL", nats->url()},
                                               {"WORKER_HTTP_PORT", std::to_string(httpPort)},
                                               {"OUTBOX_BATCH_SIZE", std::to_string(batchSize)},
                                               {"OUTBOX_POLL_INTERVAL_MS", "100"}};
        env.insert(extraEnv.begin(), extraEnv.end());
        worker = std::make_unique<ChildProcess>(std::vector<std::string>{binaryUnderTest()},
                                                logs.path() + "/worker.log", env);
    }

    void insertRows(int count, const std::string& subject = "sea.outbox.order.created") {
        postgres->apply_sql(fmt::format(
            "INSERT INTO outbox_events (id, aggregate, subject, payload) "
            "SELECT gen_random_uuid(), 'order', '{}', jsonb_build_object('n', g) FROM generate_series(1, {}) g",
            subject, count));
    }

    long long unpublished() const {
        return std::stoll(postgres->scalar("SELECT count(*) FROM outbox_events WHERE published_at IS NULL"));
    }

    // Polls the DB; tolerates a restarting server (counts as "not yet"). Gives up early (false) when
    // the worker process has exited.
    bool waitUnpublishedAtMost(long long limit, std::chrono::milliseconds timeout) {
        bool done = false;
        poll_until(
            timeout,
            [&] {
                if (worker && !worker->running()) return true;
                try {
                    done = unpublished() <= limit;
                    return done;
                } catch (const std::exception&) {
                    return false;
                }
            },
            50ms);
        return done;
    }

    httplib::Result get(const char* path) const {
        httplib::Client client("127.0.0.1", httpPort);
        client.set_connection_timeout(500ms);
        client.set_read_timeout(1s);
        return client.Get(path);
    }

    std::string workerLog() const { return file_tail(logs.path() + "/worker.log", 4000); }

    TempDir logs{"sea-worker-it-"};
    std::unique_ptr<LocalPostgres> postgres;
    std::unique_ptr<LocalNats> nats;
    std::unique_ptr<ChildProcess> worker;
    std::map<std::string, std::string> extraEnv;  // more worker variables (startWorker)
    int httpPort = 0;
};

TEST_F(WorkerIntegration, RelaysRowsWithMsgIdMarksThemAndReportsReady) {
    insertRows(50);
    startWorker();
    ASSERT_TRUE(waitUnpublishedAtMost(0, 20s)) << workerLog();
    const auto contents = testing::readStream(nats->url(), "SEA_OUTBOX");
    EXPECT_EQ(contents.messages, 50u);
    std::set<std::string> ids(contents.msgIds.begin(), contents.msgIds.end());
    const auto dbIds = postgres->scalar("SELECT string_agg(id::text, ',' ORDER BY created_at, id) FROM outbox_events");
    for (const auto& id : ids) EXPECT_NE(dbIds.find(id), std::string::npos) << "unknown Nats-Msg-Id " << id;
    EXPECT_EQ(ids.size(), 50u);
    EXPECT_EQ(ids.count(""), 0u) << "every message must carry Nats-Msg-Id";

    ASSERT_TRUE(poll_until(5s, [&] { auto r = get("/readyz"); return r && r->status == 200; })) << workerLog();
    auto health = get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    auto metrics = get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("sea_worker_published_total 50\n"), std::string::npos) << metrics->body;

    // A new row is picked up through LISTEN/NOTIFY (or the 100 ms poll) quickly.
    const auto start = std::chrono::steady_clock::now();
    insertRows(1);
    ASSERT_TRUE(waitUnpublishedAtMost(0, 5s)) << workerLog();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

    worker->signal(SIGTERM);
    const auto code = worker->wait_exit(10s);
    ASSERT_TRUE(code.has_value()) << "no graceful stop on SIGTERM";
    EXPECT_EQ(*code, 0);
}

TEST_F(WorkerIntegration, ReadyzNamesNatsWhileNatsIsDownAndRecovers) {
    startWorker();
    ASSERT_TRUE(poll_until(10s, [&] { auto r = get("/readyz"); return r && r->status == 200; })) << workerLog();
    nats->kill();
    ASSERT_TRUE(poll_until(
        10s,
        [&] {
            auto r = get("/readyz");
            return r && r->status == 503 && r->body.find(R"("nats":"disconnected")") != std::string::npos &&
                   r->body.find(R"("db":"connected")") != std::string::npos;
        }))
        << workerLog();
    insertRows(20);
    nats->start();
    ASSERT_TRUE(waitUnpublishedAtMost(0, 30s)) << workerLog();
    EXPECT_TRUE(worker->running()) << workerLog();
    auto metrics = get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_EQ(metrics->body.find("sea_worker_nats_reconnects_total 0\n"), std::string::npos) << metrics->body;
}

// The outbox contract: published_at is set only after JetStream acknowledged the row, so it never precedes
// the stream's stored timestamp of the row's message (one host clock here, as in the chaos stack). Marking
// with now() -- PostgreSQL's transaction start, i.e. the claim, before any publish of the batch -- breaks it
// for every row, by up to the whole batch of acks. (Also detects marking before the ack.)
TEST_F(WorkerIntegration, PublishedAtNeverPrecedesTheJetStreamStoredTime) {
    constexpr int kRows = 200;
    insertRows(kRows);
    startWorker(100);
    ASSERT_TRUE(waitUnpublishedAtMost(0, 20s)) << workerLog();
    const auto contents = testing::readStream(nats->url(), "SEA_OUTBOX");
    ASSERT_EQ(contents.messages, static_cast<std::uint64_t>(kRows));
    ASSERT_EQ(contents.storedNs.size(), contents.msgIds.size());
    // id=published_at in microseconds since the epoch (PostgreSQL's resolution), one pair per row.
    const auto pairs = postgres->scalar(
        "SELECT string_agg(id::text || '=' || (extract(epoch FROM published_at) * 1000000)::bigint::text, ',') "
        "FROM outbox_events");
    std::map<std::string, long long> publishedUs;
    for (std::size_t at = 0; at < pairs.size();) {
        auto end = pairs.find(',', at);
        if (end == std::string::npos) end = pairs.size();
        const auto item = pairs.substr(at, end - at);
        const auto eq = item.find('=');
        publishedUs[item.substr(0, eq)] = std::stoll(item.substr(eq + 1));
        at = end + 1;
    }
    ASSERT_EQ(publishedUs.size(), static_cast<std::size_t>(kRows));
    int early = 0;
    long long worstUs = 0;
    std::string example;
    for (std::size_t i = 0; i < contents.msgIds.size(); ++i) {
        const auto found = publishedUs.find(contents.msgIds[i]);
        ASSERT_NE(found, publishedUs.end()) << "unknown Nats-Msg-Id " << contents.msgIds[i];
        ASSERT_GT(contents.storedNs[i], 0) << "no stored timestamp for " << contents.msgIds[i];
        const long long storedUs = contents.storedNs[i] / 1000;  // truncated, as PostgreSQL's clock is
        if (found->second < storedUs) {
            ++early;
            if (storedUs - found->second > worstUs) {
                worstUs = storedUs - found->second;
                example = fmt::format("{}: published_at {} us, stored {} us", found->first, found->second, storedUs);
            }
        }
    }
    EXPECT_EQ(early, 0) << early << " of " << kRows << " rows have published_at before JetStream stored them, by up to "
                        << worstUs << " us (" << example << ")";
}

// After a PostgreSQL restart the worker reconnects, subscribes again and keeps relaying: a row inserted
// after the reconnect is published within a few poll intervals. (Detects a worker that LISTENs only on
// its first connection and relies on NOTIFY alone: it stays "ready" but never sees the new row.)
TEST_F(WorkerIntegration, RowInsertedAfterPostgresRestartIsRelayed) {
    insertRows(5);
    startWorker();
    ASSERT_TRUE(waitUnpublishedAtMost(0, 20s)) << workerLog();
    postgres->restart();
    ASSERT_TRUE(poll_until(20s, [&] {
        auto metrics = get("/metrics");
        auto ready = get("/readyz");
        return metrics && metrics->body.find("sea_worker_db_reconnects_total 0\n") == std::string::npos && ready &&
               ready->status == 200;
    })) << "worker did not reconnect and report ready after the restart:\n"
        << workerLog();
    insertRows(3);
    EXPECT_TRUE(waitUnpublishedAtMost(0, 5s)) << unpublished() << " rows not relayed 5 s after insert; worker log:\n"
                                               << workerLog();
    EXPECT_TRUE(worker->running()) << workerLog();
}

// After a NATS restart (clean stop, start on the same port and store) the worker reconnects and relays a
// row inserted afterwards within seconds. (Detects a worker whose NATS connection does not reconnect: it
// stays up with "nats":"disconnected" and never relays again.)
TEST_F(WorkerIntegration, RowInsertedAfterNatsRestartIsRelayed) {
    insertRows(5);
    startWorker();
    ASSERT_TRUE(waitUnpublishedAtMost(0, 20s)) << workerLog();
    nats->stop();
    ASSERT_TRUE(poll_until(10s, [&] { auto r = get("/readyz"); return r && r->status == 503; })) << workerLog();
    nats->start();
    ASSERT_TRUE(poll_until(15s, [&] { auto r = get("/readyz"); return r && r->status == 200; }))
        << "worker not ready 15 s after NATS came back:\n" << workerLog();
    insertRows(3);
    EXPECT_TRUE(waitUnpublishedAtMost(0, 5s)) << unpublished() << " rows not relayed 5 s after insert; worker log:\n"
                                               << workerLog();
    EXPECT_EQ(testing::readStream(nats->url(), "SEA_OUTBOX").messages, 8u);
    EXPECT_TRUE(worker->running()) << workerLog();
}

// A row whose transaction commits late -- its created_at (the transaction start) older than rows committed
// and relayed meanwhile -- is still relayed: the worker claims every unpublished row, not only the rows after
// the newest one it published. (Detects a (created_at, id) high-water-mark cursor in the claim.)
TEST_F(WorkerIntegration, RowCommittedLateWithAnOlderCreatedAtIsRelayed) {
    startWorker();
    ASSERT_TRUE(poll_until(10s, [&] { auto r = get("/readyz"); return r && r->status == 200; })) << workerLog();
    std::unique_ptr<PGconn, decltype(&PQfinish)> late(PQconnectdb(postgres->url().c_str()), &PQfinish);
    ASSERT_EQ(PQstatus(late.get()), CONNECTION_OK) << PQerrorMessage(late.get());
    const auto exec = [&](const char* sql) {
        PGresult* result = PQexec(late.get(), sql);
        const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
        PQclear(result);
        return ok;
    };
    const std::string lateId = "00000000-0000-4000-8000-00000000001a";
    ASSERT_TRUE(exec("BEGIN")) << PQerrorMessage(late.get());
    ASSERT_TRUE(exec(("INSERT INTO outbox_events (id, aggregate, subject) VALUES ('" + lateId +
                      "', 'order', 'sea.outbox.order.created')").c_str()))
        << PQerrorMessage(late.get());
    insertRows(5);  // committed now, created_at after the open transaction's start
    ASSERT_TRUE(waitUnpublishedAtMost(0, 10s)) << workerLog();
    ASSERT_EQ(testing::readStream(nats->url(), "SEA_OUTBOX").messages, 5u);
    ASSERT_TRUE(exec("COMMIT")) << PQerrorMessage(late.get());
    ASSERT_EQ(postgres->scalar("SELECT count(*) FROM outbox_events WHERE created_at < (SELECT min(created_at) FROM "
                               "outbox_events WHERE id <> '" + lateId + "') AND id = '" + lateId + "'"),
              "1")
        << "the late row must be older than the rows relayed before it committed";
    EXPECT_TRUE(waitUnpublishedAtMost(0, 5s)) << "the late-committed row was not relayed within 5 s; worker log:\n"
                                               << workerLog();
    const auto contents = testing::readStream(nats->url(), "SEA_OUTBOX");
    EXPECT_EQ(contents.messages, 6u);
    EXPECT_NE(std::find(contents.msgIds.begin(), contents.msgIds.end(), lateId), contents.msgIds.end());
}

// A row JetStream cannot store (no stream for its subject) stays unpublished with attempts/last_error,
// and does not block the rows behind it. (Detects marking without an ack.)
TEST_F(WorkerIntegration, RowRejectedByJetStreamIsNeverMarkedAndDoesNotBlockOthers) {
    insertRows(1, "sea.elsewhere.created");
    insertRows(20);
    startWorker();
    ASSERT_TRUE(waitUnpublishedAtMost(1, 20s)) << workerLog();
    ASSERT_TRUE(poll_until(
        10s,
        [&] {
            return postgres->scalar(
                       "SELECT attempts >= 2 FROM outbox_events WHERE subject = 'sea.elsewhere.created'") == "t";
        }))
        << workerLog();
    EXPECT_EQ(postgres->scalar("SELECT count(*) FROM outbox_events WHERE subject = 'sea.elsewhere.created' "
                               "AND published_at IS NULL AND last_error <> ''"),
              "1");
    EXPECT_TRUE(worker->running());
    EXPECT_EQ(testing::readStream(nats->url(), "SEA_OUTBOX").messages, 20u);
}

// A SEA_OUTBOX stream left with the old 120 s duplicate window is raised to WORKER_DUPLICATES_WINDOW_S
// when the worker starts (one log line), and rows are relayed through it. (Detects a worker that only
// creates a missing stream: its exactly-once bound would stay 120 s.)
TEST_F(WorkerIntegration, RaisesAnExistingStreamsShortDuplicatesWindowOnStart) {
    testing::createStream(nats->url(), "SEA_OUTBOX", {"sea.outbox.>"}, 120s);
    insertRows(3);
    extraEnv["WORKER_DUPLICATES_WINDOW_S"] = "1500";
    startWorker();
    ASSERT_TRUE(waitUnpublishedAtMost(0, 20s)) << workerLog();
    EXPECT_EQ(testing::readStreamSettings(nats->url(), "SEA_OUTBOX").duplicates, std::chrono::nanoseconds(1500s));
    EXPECT_EQ(testing::readStream(nats->url(), "SEA_OUTBOX").messages, 3u);
    const auto log = read_file(logs.path() + "/worker.log");
    std::size_t lines = 0;
    for (auto at = log.find("raised duplicates window of stream SEA_OUTBOX from 120s to 1500s");
         at != std::string::npos; at = log.find("raised duplicates window", at + 1)) {
        ++lines;
    }
    EXPECT_EQ(lines, 1u) << log;
}

// Done-when: 10,000 rows, PostgreSQL and NATS each restarted while rows are pending; afterwards every
// id is in the stream exactly once and every row is marked published.
TEST_F(WorkerIntegration, TenThousandRowsSurvivePostgresAndNatsRestartsExactlyOnce) {
    constexpr int kTotal = 10000;
    insertRows(4000);
    startWorker(50);
    ASSERT_TRUE(waitUnpublishedAtMost(3000, 30s)) << workerLog();
    ASSERT_GT(unpublished(), 0) << "relay finished before the PostgreSQL restart: fault not exercised";
    postgres->restart();

    insertRows(3000);
    ASSERT_TRUE(waitUnpublishedAtMost(3500, 60s)) << workerLog();
    nats->kill();
    insertRows(3000);  // rows arrive while NATS is down
    ASSERT_GT(unpublished(), 0);
    nats->start();

    ASSERT_TRUE(waitUnpublishedAtMost(0, 180s)) << "rows left unpublished; worker log:\n" << workerLog();
    EXPECT_TRUE(worker->running()) << "worker must survive both restarts";

    const auto contents = testing::readStream(nats->url(), "SEA_OUTBOX");
    std::map<std::string, int> seen;
    for (const auto& id : contents.msgIds) ++seen[id];
    EXPECT_EQ(contents.messages, static_cast<std::uint64_t>(kTotal));
    EXPECT_EQ(seen.count(""), 0u) << "messages without Nats-Msg-Id";
    int duplicates = 0;
    for (const auto& [id, count] : seen) duplicates += count > 1 ? 1 : 0;
    EXPECT_EQ(duplicates, 0);
    EXPECT_EQ(postgres->scalar("SELECT count(*) FROM outbox_events"), std::to_string(kTotal));
    // Every DB id appears in the stream.
    const auto missing = postgres->scalar(
        "SELECT count(*) FROM outbox_events WHERE NOT (id::text = ANY('" +
        [&] {
            std::string array = "{";
            for (const auto& [id, count] : seen) array += (array.size() > 1 ? "," : "") + id;
            return array + "}";
        }() +
        "'::text[]))");
    EXPECT_EQ(missing, "0");

    auto metrics = get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_EQ(metrics->body.find("sea_worker_db_reconnects_total 0\n"), std::string::npos) << metrics->body;
    EXPECT_EQ(metrics->body.find("sea_worker_nats_reconnects_total 0\n"), std::string::npos) << metrics->body;
    std::printf("%s", metrics->body.c_str());
}

}  // namespace
}  // namespace sea::worker

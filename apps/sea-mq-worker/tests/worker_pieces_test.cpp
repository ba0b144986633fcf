// Unit tests of the worker's small pieces: backoff, metrics text, readiness body, SQL helpers.
#include "backoff.hpp"
#include "pg_outbox_store.hpp"
#include "worker_http.hpp"
#include "worker_metrics.hpp"

#include <gtest/gtest.h>

namespace sea::worker {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesUpToTheCapAndResets) {
    Backoff backoff(milliseconds(100), milliseconds(500));
    EXPECT_EQ(backoff.next(), milliseconds(100));
    EXPECT_EQ(backoff.next(), milliseconds(200));
    EXPECT_EQ(backoff.next(), milliseconds(400));
    EXPECT_EQ(backoff.next(), milliseconds(500));
    EXPECT_EQ(backoff.next(), milliseconds(500));
    backoff.reset();
    EXPECT_EQ(backoff.next(), milliseconds(100));
}

TEST(WorkerMetrics, RendersEveryCounterInPrometheusFormat) {
    WorkerMetrics metrics;
    metrics.published = 7;
    metrics.publishRetries = 2;
    metrics.dbReconnects = 1;
    metrics.natsReconnects = 3;
    metrics.claimed = 9;
    const auto text = metrics.renderPrometheus();
    EXPECT_NE(text.find("# TYPE sea_worker_published_total counter\nsea_worker_published_total 7\n"), std::string::npos);
    EXPECT_NE(text.find("\nsea_worker_publish_retries_total 2\n"), std::string::npos);
    EXPECT_NE(text.find("\nsea_worker_db_reconnects_total 1\n"), std::string::npos);
    EXPECT_NE(text.find("\nsea_worker_nats_reconnects_total 3\n"), std::string::npos);
    EXPECT_NE(text.find("\nsea_worker_claimed_total 9\n"), std::string::npos);
}

TEST(Readiness, NamesTheDisconnectedDependency) {
    EXPECT_EQ(readinessJson(true, true), R"({"ready":true,"db":"connected","nats":"connected"})");
    EXPECT_EQ(readinessJson(true, false), R"({"ready":false,"db":"connected","nats":"disconnected"})");
    EXPECT_EQ(readinessJson(false, true), R"({"ready":false,"db":"disconnected","nats":"connected"})");
}

TEST(OutboxSql, ClaimLocksUnpublishedRowsInOrderAndSkipsLockedOnes) {
    const std::string claim = kClaimSql;
    EXPECT_NE(claim.find("WHERE published_at IS NULL"), std::string::npos);
    EXPECT_NE(claim.find("ORDER BY created_at, id"), std::string::npos);
    EXPECT_NE(claim.find("LIMIT $1 FOR UPDATE SKIP LOCKED"), std::string::npos);
    EXPECT_NE(std::string(kMarkPublishedSql).find("AND published_at IS NULL"), std::string::npos)
        << "marking must never touch an already published row";
}

TEST(OutboxSql, UuidArrayLiteral) {
    EXPECT_EQ(toUuidArrayLiteral({}), "{}");
    EXPECT_EQ(toUuidArrayLiteral({"0b9c-AF", "12"}), "{0b9c-AF,12}");
    EXPECT_THROW(toUuidArrayLiteral({"x'); DROP TABLE outbox_events; --"}), std::invalid_argument);
}

}  // namespace
}  // namespace sea::worker

// Integration tests of the PostgreSQL probes against a real local server (LocalPostgres).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "sea/probes/db_probe.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/local_postgres.hpp"
#include "sea/testsupport/poll.hpp"

using namespace std::chrono_literals;
namespace probes = sea::probes;
namespace ts = sea::testsupport;

namespace {

class DbProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SEA_REQUIRE_BINARY(ts::postgres_bin_dir(), "postgres 15 (initdb, pg_ctl)");
    pg_ = std::make_unique<ts::LocalPostgres>();
    pg_->apply_sql_file(SEA_SOURCE_DIR "/infra/db/migrations/001_outbox_events.sql");
  }
  std::unique_ptr<ts::LocalPostgres> pg_;
};

}  // namespace

TEST_F(DbProbeTest, QueryReturnsRowsWithNullsAndLatency) {
  const auto r = probes::db_query(pg_->url(), "SELECT 1, NULL::text, 'x' UNION ALL SELECT 2, 'y', 'z' ORDER BY 1", 2000ms);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0][0], "1");
  EXPECT_FALSE(r.rows[0][1].has_value());
  EXPECT_EQ(r.rows[1][1], "y");
  EXPECT_GT(r.latency.count(), 0);
}

TEST_F(DbProbeTest, SqlErrorCarriesSqlstate) {
  const auto r = probes::db_query(pg_->url(), "SELECT * FROM no_such_table", 2000ms);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.outcome, probes::DbOutcome::query_failed);
  EXPECT_EQ(r.sqlstate, "42P01");
}

TEST_F(DbProbeTest, WrongPasswordIsConnectFailed) {
  const auto url = "postgresql://sea:wrong@127.0.0.1:" + std::to_string(pg_->port()) + "/sea";
  const auto r = probes::db_query(url, "SELECT 1", 2000ms);
  EXPECT_EQ(r.outcome, probes::DbOutcome::connect_failed);
  EXPECT_NE(r.error.find("password"), std::string::npos) << r.error;
}

TEST_F(DbProbeTest, InsertDedupeCountAndIdLists) {
  probes::DbConnection db(pg_->url());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(probes::new_uuid());
    const auto inserted = db.insert_outbox_row({ids.back(), "order", "sea.event.order", R"({"n":1})"}, 2000ms);
    ASSERT_EQ(inserted.outcome, probes::InsertOutcome::committed) << inserted.error;
  }
  const auto again = db.insert_outbox_row({ids[0]}, 2000ms);
  EXPECT_EQ(again.outcome, probes::InsertOutcome::duplicate);
  const auto bad_json = db.insert_outbox_row({probes::new_uuid(), "a", "s", "{not json"}, 2000ms);
  EXPECT_EQ(bad_json.outcome, probes::InsertOutcome::failed);
  EXPECT_EQ(bad_json.sqlstate, "22P02");

  ASSERT_TRUE(db.query("UPDATE outbox_events SET published_at = now() WHERE id = $1", 2000ms, {ids[1]}).ok);
  const auto counts = probes::count_outbox(pg_->url(), 2000ms);
  ASSERT_TRUE(counts.ok) << counts.error;
  EXPECT_EQ(counts.total, 3);
  EXPECT_EQ(counts.published, 1);
  EXPECT_EQ(counts.unpublished, 2);
  const auto unpublished = probes::unpublished_ids(pg_->url(), 2000ms);
  ASSERT_TRUE(unpublished.ok) << unpublished.error;
  EXPECT_EQ(std::set<std::string>(unpublished.ids.begin(), unpublished.ids.end()), (std::set<std::string>{ids[0], ids[2]}));
  const auto published = db.published_ids(2000ms);
  EXPECT_EQ(published.ids, std::vector<std::string>{ids[1]});
}

TEST_F(DbProbeTest, SlowQueryTimesOutQuicklyAndTheConnectionRecovers) {
  const auto r = probes::db_query(pg_->url(), "SELECT pg_sleep(5)", 300ms);
  EXPECT_EQ(r.outcome, probes::DbOutcome::timed_out) << r.error;
  EXPECT_LT(r.latency, 1000ms);

  probes::DbConnection db(pg_->url());
  ASSERT_TRUE(db.query("SELECT 1", 1000ms).ok);
  const auto slow = db.query("SELECT pg_sleep(5)", 300ms);
  EXPECT_EQ(slow.outcome, probes::DbOutcome::timed_out);
  EXPECT_LT(slow.latency, 1000ms);
  const auto after = db.query("SELECT 2", 1000ms);
  ASSERT_TRUE(after.ok) << after.error;
  EXPECT_EQ(after.rows[0][0], "2");
}

TEST_F(DbProbeTest, ServerStoppedMidwayFailsThenRecoversAfterStart) {
  probes::DbConnection db(pg_->url());
  ASSERT_TRUE(db.query("SELECT 1", 1000ms).ok);
  pg_->stop();
  const auto down = db.query("SELECT 1", 1000ms);
  EXPECT_FALSE(down.ok);
  EXPECT_EQ(down.outcome, probes::DbOutcome::connect_failed) << probes::to_string(down.outcome) << ": " << down.error;
  const auto insert = db.insert_outbox_row({probes::new_uuid()}, 1000ms);
  EXPECT_EQ(insert.outcome, probes::InsertOutcome::failed) << insert.error;
  pg_->start();
  const auto up = db.query("SELECT 1", 2000ms);
  EXPECT_TRUE(up.ok) << up.error;
}

TEST_F(DbProbeTest, InsertOutcomesStayTruthfulAcrossAServerCrash) {
  std::atomic<bool> stop{false};
  std::atomic<int> attempts{0};
  std::vector<std::pair<std::string, probes::InsertOutcome>> outcomes;
  std::thread writer([&] {
    probes::DbConnection db(pg_->url());
    for (int i = 0; i < 3000 && !stop; ++i) {
      const auto id = probes::new_uuid();
      outcomes.emplace_back(id, db.insert_outbox_row({id}, 500ms).outcome);
      ++attempts;
    }
  });
  struct JoinOnExit {
    std::thread& thread;
    std::atomic<bool>& stop_flag;
    ~JoinOnExit() {
      stop_flag = true;
      thread.join();
    }
  };
  {
    JoinOnExit join{writer, stop};
    ASSERT_TRUE(ts::poll_until(10000ms, [&] { return attempts >= 50; })) << "inserts never got going";
    pg_->kill();
    // A window of failed attempts while the server is down: at least 3 more attempts (≈ 3 connect failures).
    const int at_kill = attempts;
    ASSERT_TRUE(ts::poll_until(10000ms, [&] { return attempts >= at_kill + 3; })) << "no attempts while down";
    pg_->start();
  }

  const auto present = probes::db_query(pg_->url(), "SELECT id::text FROM outbox_events", 5000ms);
  ASSERT_TRUE(present.ok) << present.error;
  std::set<std::string> stored;
  for (const auto& row : present.rows) stored.insert(*row[0]);
  int committed = 0;
  int failed = 0;
  for (const auto& [id, outcome] : outcomes) {
    if (outcome == probes::InsertOutcome::committed) {
      ++committed;
      EXPECT_TRUE(stored.count(id)) << "committed but missing: " << id;
    } else if (outcome == probes::InsertOutcome::failed) {
      ++failed;
      EXPECT_FALSE(stored.count(id)) << "reported failed but stored: " << id;
    }
  }
  EXPECT_GE(committed, 50);
  EXPECT_GE(failed, 1) << "the crash window produced no failed insert";
}

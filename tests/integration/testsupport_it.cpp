// Integration tests of the harness itself: restarts keep ports and data, kill/crash recovery.
#include <gtest/gtest.h>

#include <filesystem>

#include "sea/probes/db_probe.hpp"
#include "sea/probes/nats_probe.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/local_nats.hpp"
#include "sea/testsupport/local_postgres.hpp"

using namespace std::chrono_literals;
namespace probes = sea::probes;
namespace ts = sea::testsupport;

TEST(LocalPostgresHarness, RestartAndCrashKeepPortAndData) {
  SEA_REQUIRE_BINARY(ts::postgres_bin_dir(), "postgres 15 (initdb, pg_ctl)");
  std::string dir;
  {
    ts::LocalPostgres pg;
    dir = pg.data_dir();
    EXPECT_NE(pg.url().find("127.0.0.1:" + std::to_string(pg.port())), std::string::npos);
    pg.apply_sql("CREATE TABLE t (v int); INSERT INTO t VALUES (1);");
    pg.restart();
    EXPECT_EQ(probes::db_query(pg.url(), "SELECT count(*) FROM t", 2000ms).rows.at(0).at(0), "1");
    pg.kill();
    EXPECT_FALSE(probes::db_query(pg.url(), "SELECT 1", 500ms).ok);
    pg.start();
    EXPECT_EQ(probes::db_query(pg.url(), "SELECT count(*) FROM t", 2000ms).rows.at(0).at(0), "1");
    EXPECT_THROW(pg.apply_sql("SELEC 1"), std::runtime_error);
    EXPECT_THROW(pg.apply_sql_file("/nonexistent.sql"), std::runtime_error);
  }
  EXPECT_FALSE(std::filesystem::exists(dir)) << "temp dir left behind";
}

TEST(LocalNatsHarness, KillAndStartKeepPortsAndStore) {
  SEA_REQUIRE_BINARY(ts::nats_server_binary(), "nats-server");
  ts::LocalNats nats;
  const int port = nats.port();
  nats.kill();
  EXPECT_FALSE(nats.running());
  nats.start();
  EXPECT_TRUE(nats.running());
  EXPECT_EQ(nats.port(), port);
  const auto varz = probes::nats_monitor_json(nats.monitor_url(), "/varz", 1000ms);
  ASSERT_TRUE(varz.has_value());
  EXPECT_EQ(varz->at("jetstream").at("config").at("store_dir").get<std::string>().rfind(nats.store_dir(), 0), 0u);
}

TEST(Binaries, FindBinaryPrefersTheEnvironmentAndSkipsMissingOnes) {
  EXPECT_EQ(ts::find_binary("SEA_TEST_UNSET_VARIABLE", {"/nonexistent/x", "/bin/sh"}), "/bin/sh");
  EXPECT_FALSE(ts::find_binary("SEA_TEST_UNSET_VARIABLE", {"/nonexistent/x"}).has_value());
  ::setenv("SEA_TEST_BINARY_OVERRIDE", "/bin/true", 1);
  EXPECT_EQ(ts::find_binary("SEA_TEST_BINARY_OVERRIDE", {"/bin/sh"}), "/bin/true");
}

// Unit tests of probe pieces that need no server: UUIDs, NATS URL handling, DB input errors,
// the NATS INFO handshake and the JetStream client's reconnects against in-process TCP fakes.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

#include "sea/probes/db_probe.hpp"
#include "sea/probes/jetstream_probe.hpp"
#include "sea/probes/nats_probe.hpp"
#include "sea/testsupport/poll.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/tcp_fakes.hpp"

using namespace std::chrono_literals;
namespace probes = sea::probes;

TEST(Uuid, IsCanonicalVersion4AndUnique) {
  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = probes::new_uuid();
    ASSERT_TRUE(std::regex_match(id, v4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(DbProbe, MalformedConninfoIsBadConninfo) {
  const auto result = probes::db_query("postgresql://127.0.0.1/db?no_such_option=1", "SELECT 1", 500ms);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.outcome, probes::DbOutcome::bad_conninfo) << result.error;
  const auto other = probes::db_query("this is = not valid", "SELECT 1", 500ms);
  EXPECT_EQ(other.outcome, probes::DbOutcome::bad_conninfo) << other.error;
}

TEST(DbProbe, ClosedPortIsConnectFailedAndInsertIsDefinitelyNotCommitted) {
  const auto url = "postgresql://u:p@127.0.0.1:" + std::to_string(sea::testsupport::closed_loopback_port()) + "/db";
  const auto query = probes::db_query(url, "SELECT 1", 1000ms);
  EXPECT_EQ(query.outcome, probes::DbOutcome::connect_failed) << query.error;
  const auto insert = probes::insert_outbox_row(url, {probes::new_uuid()}, 1000ms);
  EXPECT_EQ(insert.outcome, probes::InsertOutcome::failed);
  const auto counts = probes::count_outbox(url, 1000ms);
  EXPECT_FALSE(counts.ok);
  EXPECT_FALSE(counts.error.empty());
}

TEST(DbProbe, SilentServerTimesOutDuringConnect) {
  sea::testsupport::SilentTcpServer silent;
  const auto url = "postgresql://u:p@127.0.0.1:" + std::to_string(silent.port()) + "/db";
  const auto result = probes::db_query(url, "SELECT 1", 300ms);
  EXPECT_EQ(result.outcome, probes::DbOutcome::timed_out) << result.error;
  EXPECT_GE(result.latency, 280ms);
  EXPECT_LT(result.latency, 800ms);
}

TEST(NatsInfo, ClosedPortIsRefused) {
  const auto info = probes::nats_info_handshake("nats://127.0.0.1:" + std::to_string(sea::testsupport::closed_loopback_port()), 1000ms);
  EXPECT_FALSE(info.ok);
  EXPECT_EQ(info.error, "refused");
}

TEST(NatsInfo, SilentServerTimesOutWaitingForInfo) {
  sea::testsupport::SilentTcpServer silent;
  const auto info = probes::nats_info_handshake("127.0.0.1:" + std::to_string(silent.port()), 300ms);
  EXPECT_FALSE(info.ok);
  EXPECT_NE(info.error.find("timed out"), std::string::npos) << info.error;
  EXPECT_LT(info.latency, 800ms);
}

TEST(NatsInfo, MalformedUrlIsReported) {
  EXPECT_NE(probes::nats_info_handshake("nats://", 300ms).error.find("bad url"), std::string::npos);
  EXPECT_NE(probes::nats_info_handshake("nats://host:port", 300ms).error.find("bad url"), std::string::npos);
}

TEST(NatsConnect, ClosedPortFailsFast) {
  const auto url = "nats://127.0.0.1:" + std::to_string(sea::testsupport::closed_loopback_port());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(probes::nats_can_connect(url, 1000ms));
  const auto connect = probes::JetStreamClient::connect(url, 1000ms);
  EXPECT_FALSE(connect);
  EXPECT_NE(connect.error.find("connect"), std::string::npos) << connect.error;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_FALSE(probes::JetStreamClient::connect("", 1000ms));
}

// JetStreamClientOptions::max_reconnect against a fake whose server goes away after the handshake and fails every
// later one: the fake's connections after the first are the client's reconnect attempts.
namespace {

probes::JetStreamClient connect_one_shot(const sea::testsupport::OneShotNatsServer& fake, int max_reconnect) {
  probes::JetStreamClientOptions options;
  options.max_reconnect = max_reconnect;
  options.reconnect_wait = 10ms;
  auto connected = probes::JetStreamClient::connect("nats://127.0.0.1:" + std::to_string(fake.port()), 1000ms, options);
  if (!connected) throw std::runtime_error(connected.error);
  return std::move(*connected.client);
}

}  // namespace

TEST(JetStreamReconnect, MinusOneReconnectsForever) {
  sea::testsupport::OneShotNatsServer fake;
  const auto client = connect_one_shot(fake, -1);
  ASSERT_TRUE(client.connected());
  fake.drop_first();
  // cnats waits 10 ms + up to 100 ms of jitter between attempts: 10 of them come within ~1 s. A client that does not
  // reconnect stays at the first connection.
  EXPECT_TRUE(sea::testsupport::poll_until(10s, [&] { return fake.connections() >= 11; })) << fake.connections() << " connections";
}

TEST(JetStreamReconnect, ZeroNeverReconnects) {
  sea::testsupport::OneShotNatsServer fake;
  const auto client = connect_one_shot(fake, 0);
  ASSERT_TRUE(client.connected());
  fake.drop_first();
  EXPECT_TRUE(sea::testsupport::poll_until(2s, [&] { return !client.connected(); }));
  // An absence can only be watched for a while: 500 ms is ~5 attempts' worth of reconnect waits.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(fake.connections(), 1);
}

TEST(JetStreamReconnect, PositiveIsTheNumberOfAttempts) {
  sea::testsupport::OneShotNatsServer fake;
  const auto client = connect_one_shot(fake, 3);
  ASSERT_TRUE(client.connected());
  fake.drop_first();
  EXPECT_TRUE(sea::testsupport::poll_until(5s, [&] { return fake.connections() >= 4; })) << fake.connections() << " connections";
  EXPECT_TRUE(sea::testsupport::poll_until(2s, [&] { return !client.connected(); }));
  std::this_thread::sleep_for(500ms);  // watching for a 5th attempt that must not come (as above)
  EXPECT_EQ(fake.connections(), 4);
}

TEST(NatsMonitor, RefusedMonitorGivesNoJsonAndUnhealthy) {
  const auto url = "http://127.0.0.1:" + std::to_string(sea::testsupport::closed_loopback_port());
  EXPECT_FALSE(probes::nats_monitor_json(url, "/varz", 500ms).has_value());
  const auto health = probes::nats_healthz(url, 500ms);
  EXPECT_FALSE(health.ok);
  EXPECT_EQ(health.outcome, probes::HttpOutcome::refused);
}

TEST(PollUntil, ReturnsTrueEarlyAndFalseAtTheDeadline) {
  int calls = 0;
  EXPECT_TRUE(sea::testsupport::poll_until(1000ms, [&] { return ++calls == 3; }, 1ms));
  EXPECT_EQ(calls, 3);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sea::testsupport::poll_until(100ms, [] { return false; }, 10ms));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 100ms);
  EXPECT_LT(elapsed, 400ms);
}

TEST(Ports, FreePortsAreDistinct) {
  std::set<int> ports;
  for (int i = 0; i < 20; ++i) ports.insert(sea::testsupport::free_loopback_port());
  EXPECT_EQ(ports.size(), 20u);
}

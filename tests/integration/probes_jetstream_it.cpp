// Integration tests of the JetStream probe client against a real local nats-server.
#include <gtest/gtest.h>

#include "sea/probes/jetstream_probe.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/local_nats.hpp"
#include "sea/probes/nats_probe.hpp"
#include "sea/testsupport/poll.hpp"
#include "sea/testsupport/ports.hpp"

using namespace std::chrono_literals;
namespace probes = sea::probes;
namespace ts = sea::testsupport;

namespace {

class JetStreamProbeTest : public ::testing::Test {
 protected:
  void start(std::optional<std::string> domain = std::nullopt) {
    ts::LocalNatsOptions options;
    options.domain = domain;
    nats_ = std::make_unique<ts::LocalNats>(options);
    probes::JetStreamClientOptions client_options;
    client_options.domain = domain;
    auto connected = probes::JetStreamClient::connect(nats_->url(), 2000ms, client_options);
    ASSERT_TRUE(connected) << connected.error;
    client_.emplace(std::move(*connected.client));
  }
  void SetUp() override { SEA_REQUIRE_BINARY(ts::nats_server_binary(), "nats-server"); }

  static probes::StreamConfig events_stream() {
    probes::StreamConfig config;
    config.name = "SEA_EVENTS";
    config.subjects = {"sea.event.>"};
    config.duplicates_window = 2min;
    return config;
  }

  // Publishes n messages with ids "<prefix>-<i>"; returns the ids.
  std::vector<std::string> publish_n(int n, const std::string& prefix) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(prefix + "-" + std::to_string(i));
      const auto ack = client_->publish("sea.event.order", "data-" + std::to_string(i), ids.back(), 2000ms);
      EXPECT_TRUE(ack.acked) << ack.error;
    }
    return ids;
  }

  static std::vector<std::string> ids_of(const probes::ReadResult& read) {
    std::vector<std::string> ids;
    for (const auto& m : read.messages) ids.push_back(m.msg_id);
    return ids;
  }

  std::unique_ptr<ts::LocalNats> nats_;
  std::optional<probes::JetStreamClient> client_;
};

}  // namespace

TEST_F(JetStreamProbeTest, PublishDedupeInfoAndReadIds) {
  start();
  ASSERT_TRUE(client_->connected());
  const auto created = client_->ensure_stream(events_stream(), 2000ms);
  ASSERT_TRUE(created.ok) << created.error;
  const auto ids = publish_n(5, "m");

  const auto again = client_->publish("sea.event.order", "other data", "m-2", 2000ms);
  ASSERT_TRUE(again.acked) << again.error;
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.seq, 3u);
  EXPECT_EQ(again.stream, "SEA_EVENTS");

  const auto info = client_->stream_info("SEA_EVENTS", 2000ms);
  ASSERT_TRUE(info.ok) << info.error;
  EXPECT_EQ(info.messages, 5u);
  EXPECT_EQ(info.first_seq, 1u);
  EXPECT_EQ(info.last_seq, 5u);

  const auto all = client_->read_ids("SEA_EVENTS", 1, 0, 2000ms);
  ASSERT_TRUE(all.ok) << all.error;
  EXPECT_EQ(ids_of(all), ids);
  EXPECT_EQ(all.messages[0].subject, "sea.event.order");
  EXPECT_EQ(all.messages[4].seq, 5u);
  EXPECT_EQ(all.messages[4].data, "data-4");
  const auto window = client_->read_ids("SEA_EVENTS", 2, 4, 2000ms, /*max_messages=*/2);
  EXPECT_EQ(ids_of(window), (std::vector<std::string>{"m-1", "m-2"}));
}

TEST_F(JetStreamProbeTest, EnsureStreamIsIdempotentAndUpdates) {
  start();
  auto config = events_stream();
  ASSERT_TRUE(client_->ensure_stream(config, 2000ms).ok);
  ASSERT_TRUE(client_->ensure_stream(config, 2000ms).ok);
  config.max_msgs = 3;
  const auto updated = client_->ensure_stream(config, 2000ms);
  ASSERT_TRUE(updated.ok) << updated.error;
  publish_n(5, "u");
  const auto info = client_->stream_info("SEA_EVENTS", 2000ms);
  EXPECT_EQ(info.messages, 3u);
  EXPECT_EQ(info.first_seq, 3u);
  const auto read = client_->read_ids("SEA_EVENTS", 1, 0, 2000ms);  // purged seqs 1-2 are skipped
  ASSERT_TRUE(read.ok) << read.error;
  EXPECT_EQ(ids_of(read), (std::vector<std::string>{"u-2", "u-3", "u-4"}));
}

TEST_F(JetStreamProbeTest, MirrorInTheSameServerReadsTheSameIds) {
  start();
  ASSERT_TRUE(client_->ensure_stream(events_stream(), 2000ms).ok);
  const auto ids = publish_n(4, "mir");
  probes::StreamConfig mirror;
  mirror.name = "SEA_EVENTS_MIRROR";
  mirror.mirror = probes::StreamMirror{"SEA_EVENTS", ""};
  const auto created = client_->ensure_stream(mirror, 2000ms);
  ASSERT_TRUE(created.ok) << created.error;
  ASSERT_TRUE(ts::poll_until(5000ms, [&] { return client_->stream_info("SEA_EVENTS_MIRROR", 500ms).last_seq == 4; }));
  const auto read = client_->read_ids("SEA_EVENTS_MIRROR", 1, 0, 2000ms);
  ASSERT_TRUE(read.ok) << read.error;
  EXPECT_EQ(ids_of(read), ids);
}

// The production topology in miniature: hub A (domain sea-a) with a leafnode listener, B (domain
// sea-b) dialling it; a mirror in B of A's stream via external API prefix "$JS.sea-a.API".
// (Within ONE server an external-prefix mirror of its own domain never syncs in 2.9.10, hence two.)
TEST_F(JetStreamProbeTest, CrossDomainMirrorOverALeafnodeReadsTheSameIds) {
  const int leaf_port = ts::free_loopback_port();
  ts::LocalNatsOptions hub_options;
  hub_options.domain = "sea-a";
  hub_options.server_name = "hub-a";
  hub_options.extra_config = "leafnodes { listen: \"127.0.0.1:" + std::to_string(leaf_port) + "\" }";
  ts::LocalNats hub(hub_options);
  ts::LocalNatsOptions leaf_options;
  leaf_options.domain = "sea-b";
  leaf_options.server_name = "leaf-b";
  leaf_options.extra_config =
      "leafnodes { remotes: [ { urls: [\"nats-leaf://127.0.0.1:" + std::to_string(leaf_port) + "\"] } ] }";
  ts::LocalNats leaf(leaf_options);
  ASSERT_TRUE(ts::poll_until(10000ms, [&] {
    const auto leafz = probes::nats_monitor_json(hub.monitor_url(), "/leafz", 500ms);
    return leafz && leafz->value("leafnodes", 0) == 1;
  })) << "leafnode link did not come up";

  probes::JetStreamClientOptions a_options;
  a_options.domain = "sea-a";
  auto a = probes::JetStreamClient::connect(hub.url(), 2000ms, a_options);
  ASSERT_TRUE(a) << a.error;
  ASSERT_TRUE(a.client->ensure_stream(events_stream(), 2000ms).ok);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back("x-" + std::to_string(i));
    ASSERT_TRUE(a.client->publish("sea.event.order", "d", ids.back(), 2000ms).acked);
  }

  probes::JetStreamClientOptions b_options;
  b_options.domain = "sea-b";
  auto b = probes::JetStreamClient::connect(leaf.url(), 2000ms, b_options);
  ASSERT_TRUE(b) << b.error;
  probes::StreamConfig mirror;
  mirror.name = "SEA_EVENTS_MIRROR";
  mirror.mirror = probes::StreamMirror{"SEA_EVENTS", "$JS.sea-a.API"};
  const auto created = b.client->ensure_stream(mirror, 5000ms);
  ASSERT_TRUE(created.ok) << created.error;
  ASSERT_TRUE(ts::poll_until(15000ms, [&] { return b.client->stream_info("SEA_EVENTS_MIRROR", 500ms).last_seq == 3; }))
      << "mirror in sea-b did not catch up";
  const auto read = b.client->read_ids("SEA_EVENTS_MIRROR", 1, 0, 2000ms);
  ASSERT_TRUE(read.ok) << read.error;
  EXPECT_EQ(ids_of(read), ids);

  // A client on B addressing domain sea-a reads the source across the link too.
  auto b_to_a = probes::JetStreamClient::connect(leaf.url(), 2000ms, a_options);
  ASSERT_TRUE(b_to_a) << b_to_a.error;
  EXPECT_EQ(ids_of(b_to_a.client->read_ids("SEA_EVENTS", 1, 0, 2000ms)), ids);

  // An unknown domain answers nothing: an error within the timeout, no exception.
  probes::JetStreamClientOptions unknown;
  unknown.domain = "sea-z";
  auto z = probes::JetStreamClient::connect(hub.url(), 2000ms, unknown);
  ASSERT_TRUE(z) << z.error;
  const auto missing = z.client->stream_info("SEA_EVENTS", 300ms);
  EXPECT_FALSE(missing.ok);
  EXPECT_LT(missing.latency, 800ms);
}

TEST_F(JetStreamProbeTest, FailurePathsReturnErrorsInsteadOfThrowing) {
  start();
  const auto missing = client_->stream_info("NOPE", 1000ms);
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.err_code, 10059) << missing.error;
  const auto no_stream = client_->publish("nobody.listens", "x", "id-1", 500ms);
  EXPECT_FALSE(no_stream.acked);
  EXPECT_FALSE(no_stream.error.empty());
  EXPECT_FALSE(client_->read_ids("NOPE", 1, 0, 500ms).ok);
  probes::StreamConfig bad;
  bad.name = "BAD.NAME";
  EXPECT_FALSE(client_->ensure_stream(bad, 1000ms).ok);

  ASSERT_TRUE(client_->ensure_stream(events_stream(), 2000ms).ok);
  ASSERT_TRUE(client_->delete_stream("SEA_EVENTS", 2000ms).ok);
  EXPECT_EQ(client_->stream_info("SEA_EVENTS", 1000ms).err_code, 10059);
  EXPECT_FALSE(client_->delete_stream("SEA_EVENTS", 1000ms).ok);
}

TEST_F(JetStreamProbeTest, ServerStoppedMidwayFailsFast) {
  start();
  ASSERT_TRUE(client_->ensure_stream(events_stream(), 2000ms).ok);
  nats_->stop();
  ASSERT_TRUE(ts::poll_until(2000ms, [&] { return !client_->connected(); }));
  const auto ack = client_->publish("sea.event.order", "x", "late", 500ms);
  EXPECT_FALSE(ack.acked);
  EXPECT_LT(ack.latency, 800ms);
  EXPECT_FALSE(client_->stream_info("SEA_EVENTS", 500ms).ok);
  nats_->start();  // data survives on the same store dir
  auto again = probes::JetStreamClient::connect(nats_->url(), 2000ms);
  ASSERT_TRUE(again) << again.error;
  EXPECT_TRUE(ts::poll_until(5000ms, [&] { return again.client->stream_info("SEA_EVENTS", 500ms).ok; }));
}

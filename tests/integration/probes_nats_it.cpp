// Integration tests of the NATS probes against a real local nats-server (LocalNats).
#include <gtest/gtest.h>

#include "sea/probes/nats_probe.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/local_nats.hpp"

using namespace std::chrono_literals;
namespace probes = sea::probes;
namespace ts = sea::testsupport;

namespace {
class NatsProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SEA_REQUIRE_BINARY(ts::nats_server_binary(), "nats-server");
    nats_ = std::make_unique<ts::LocalNats>();
  }
  std::unique_ptr<ts::LocalNats> nats_;
};
}  // namespace

TEST_F(NatsProbeTest, HealthzVarzJszLeafzAndInfoAnswer) {
  const auto health = probes::nats_healthz(nats_->monitor_url(), 1000ms);
  EXPECT_TRUE(health.ok) << health.error;
  EXPECT_NE(health.body.find("ok"), std::string::npos);
  EXPECT_TRUE(probes::nats_healthz(nats_->monitor_url() + "/", 1000ms, /*js_enabled_only=*/true).ok);

  const auto varz = probes::nats_monitor_json(nats_->monitor_url(), "/varz", 1000ms);
  ASSERT_TRUE(varz.has_value());
  EXPECT_EQ(varz->value("port", 0), nats_->port());
  const auto jsz = probes::nats_monitor_json(nats_->monitor_url(), "jsz", 1000ms);
  ASSERT_TRUE(jsz.has_value());
  EXPECT_TRUE(jsz->contains("config"));
  EXPECT_TRUE(probes::nats_monitor_json(nats_->monitor_url(), "/leafz", 1000ms).has_value());
  EXPECT_FALSE(probes::nats_monitor_json(nats_->monitor_url(), "/no-such-endpoint", 1000ms).has_value());

  const auto info = probes::nats_info_handshake(nats_->url(), 1000ms);
  ASSERT_TRUE(info.ok) << info.error;
  EXPECT_TRUE(info.jetstream);
  EXPECT_FALSE(info.server_id.empty());
  EXPECT_EQ(info.server_name, "sea-test-nats");
  EXPECT_FALSE(info.version.empty());
  EXPECT_TRUE(probes::nats_can_connect(nats_->url(), 1000ms));
}

TEST_F(NatsProbeTest, StoppedServerIsRefusedAndComesBackOnTheSamePorts) {
  nats_->stop();
  EXPECT_EQ(probes::nats_healthz(nats_->monitor_url(), 500ms).outcome, probes::HttpOutcome::refused);
  EXPECT_EQ(probes::nats_info_handshake(nats_->url(), 500ms).error, "refused");
  EXPECT_FALSE(probes::nats_can_connect(nats_->url(), 500ms));
  nats_->start();
  EXPECT_TRUE(probes::nats_healthz(nats_->monitor_url(), 1000ms).ok);
  EXPECT_TRUE(probes::nats_info_handshake(nats_->url(), 1000ms).ok);
}

TEST_F(NatsProbeTest, PausedServerTimesOutWithinTimeoutPlusSlack) {
  nats_->pause();
  const auto info = probes::nats_info_handshake(nats_->url(), 300ms);
  EXPECT_FALSE(info.ok);
  EXPECT_NE(info.error.find("timed out"), std::string::npos) << info.error;
  EXPECT_LT(info.latency, 800ms);
  const auto health = probes::nats_healthz(nats_->monitor_url(), 300ms);
  EXPECT_EQ(health.outcome, probes::HttpOutcome::timed_out) << health.error;
  EXPECT_LT(health.latency, 800ms);
  EXPECT_FALSE(probes::nats_can_connect(nats_->url(), 300ms));
  nats_->resume();
  EXPECT_TRUE(probes::nats_info_handshake(nats_->url(), 1000ms).ok);
}

// Unit tests of the HTTP probe's failure classification against in-process fakes.
#include <gtest/gtest.h>

#include <chrono>

#include "sea/probes/http_probe.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/tcp_fakes.hpp"

using namespace std::chrono_literals;
using sea::probes::HttpOutcome;

TEST(HttpUrlValidation, AcceptsHttpAndHttpsWithOptionalPortAndPath) {
  EXPECT_EQ(sea::probes::validate_http_url("http://127.0.0.1:8080/healthz"), "");
  EXPECT_EQ(sea::probes::validate_http_url("https://example.test"), "");
  EXPECT_EQ(sea::probes::validate_http_url("http://[::1]:80/x?y=1"), "");
}

TEST(HttpUrlValidation, RejectsMalformedUrlsNamingTheProblem) {
  EXPECT_NE(sea::probes::validate_http_url("127.0.0.1:8080").find("scheme"), std::string::npos);
  EXPECT_NE(sea::probes::validate_http_url("ftp://host/x").find("scheme"), std::string::npos);
  EXPECT_NE(sea::probes::validate_http_url("http://:80/").find("empty host"), std::string::npos);
  EXPECT_NE(sea::probes::validate_http_url("http://host:99999/").find("out of range"), std::string::npos);
  EXPECT_NE(sea::probes::validate_http_url("http://host:8o/").find("not a number"), std::string::npos);
  EXPECT_NE(sea::probes::validate_http_url("http://host/a b").find("whitespace"), std::string::npos);
  EXPECT_NE(sea::probes::validate_http_url("http://host:/").find("empty port"), std::string::npos);
}

TEST(HttpProbe, MalformedUrlGivesBadUrlWithoutNetworkAccess) {
  const auto result = sea::probes::http_get("not a url", 500ms);
  EXPECT_EQ(result.outcome, HttpOutcome::bad_url);
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.error.empty());
  EXPECT_LT(result.latency, 50ms);
}

TEST(HttpProbe, ClosedPortGivesRefusedQuickly) {
  const int port = sea::testsupport::closed_loopback_port();
  const auto result = sea::probes::http_get("http://127.0.0.1:" + std::to_string(port) + "/", 2000ms);
  EXPECT_EQ(result.outcome, HttpOutcome::refused) << result.error;
  EXPECT_EQ(result.status, 0);
  EXPECT_LT(result.latency, 500ms);
}

TEST(HttpProbe, SilentServerGivesTimedOutWithinTimeoutPlusSlack) {
  sea::testsupport::SilentTcpServer silent;
  const auto url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/";
  const auto get = sea::probes::http_get(url, 300ms);
  EXPECT_EQ(get.outcome, HttpOutcome::timed_out) << get.error;
  EXPECT_GE(get.latency, 290ms);
  EXPECT_LT(get.latency, 800ms);
  const auto post = sea::probes::http_post(url, "{}", "application/json", 200ms);
  EXPECT_EQ(post.outcome, HttpOutcome::timed_out) << post.error;
  EXPECT_LT(post.latency, 700ms);
}

TEST(HttpProbe, NonPositiveTimeoutIsRejected) {
  const auto result = sea::probes::http_get("http://127.0.0.1:1/", 0ms);
  EXPECT_EQ(result.outcome, HttpOutcome::other_error);
  EXPECT_NE(result.error.find("timeout"), std::string::npos);
}

TEST(HttpProbe, OutcomeNamesAreStable) {
  EXPECT_EQ(sea::probes::to_string(HttpOutcome::ok), "ok");
  EXPECT_EQ(sea::probes::to_string(HttpOutcome::refused), "refused");
  EXPECT_EQ(sea::probes::to_string(HttpOutcome::timed_out), "timed_out");
  EXPECT_EQ(sea::probes::to_string(HttpOutcome::bad_url), "bad_url");
  EXPECT_EQ(sea::probes::to_string(HttpOutcome::reset), "reset");
  EXPECT_EQ(sea::probes::to_string(HttpOutcome::other_error), "other_error");
}

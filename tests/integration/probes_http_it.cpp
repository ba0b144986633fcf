// Integration tests of the HTTP and collector probes against an in-process HTTP server.
#include <gtest/gtest.h>

#include <mutex>

#include <nlohmann/json.hpp>

#include "sea/probes/collector_probe.hpp"
#include "sea/probes/http_probe.hpp"
#include "sea/testsupport/local_http_server.hpp"

using namespace std::chrono_literals;
namespace probes = sea::probes;
namespace ts = sea::testsupport;

namespace {
class HttpProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = server_.server();
    s.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("hello", "text/plain"); });
    s.Get("/fail", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("boom", "text/plain");
    });
    s.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      server_.sleep_unless_stopping(3000ms);
      res.set_content("late", "text/plain");
    });
    s.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("# TYPE x counter\notelcol_exporter_sent_spans_total{exporter=\"otlphttp\"} 7\n", "text/plain");
    });
    s.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.get_header_value("X-Probe") + ":" + req.get_header_value("Content-Type") + ":" + req.body,
                      "text/plain");
    });
    s.Post("/api/default/v1/traces", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      received_traces_.push_back(req.body);
      received_auth_ = req.get_header_value("Authorization");
      res.set_content("{}", "application/json");
    });
    server_.start();
  }
  ts::LocalHttpServer server_;
  std::mutex mutex_;
  std::vector<std::string> received_traces_;
  std::string received_auth_;
};
}  // namespace

TEST_F(HttpProbeTest, Status200IsOkWithBody) {
  const auto r = probes::http_get(server_.url("/ok"), 1000ms);
  EXPECT_EQ(r.outcome, probes::HttpOutcome::ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_TRUE(r.ok());
}

TEST_F(HttpProbeTest, Status500IsAResponseButNotOk) {
  const auto r = probes::http_get(server_.url("/fail"), 1000ms);
  EXPECT_EQ(r.outcome, probes::HttpOutcome::ok);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "boom");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(probes::http_get(server_.url("/missing"), 1000ms).status, 404);
}

TEST_F(HttpProbeTest, SlowHandlerTimesOutWithinTimeoutPlusSlack) {
  const auto r = probes::http_get(server_.url("/slow"), 300ms);
  EXPECT_EQ(r.outcome, probes::HttpOutcome::timed_out) << r.error;
  EXPECT_GE(r.latency, 290ms);
  EXPECT_LT(r.latency, 800ms);
}

TEST_F(HttpProbeTest, PostSendsBodyContentTypeAndHeaders) {
  const auto r = probes::http_post(server_.url("/echo"), "payload", "application/json", 1000ms, {{"X-Probe", "p1"}});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.body, "p1:application/json:payload");
}

TEST_F(HttpProbeTest, StoppedServerIsRefused) {
  const auto url = server_.url("/ok");
  server_.stop();
  const auto r = probes::http_get(url, 1000ms);
  EXPECT_EQ(r.outcome, probes::HttpOutcome::refused) << r.error;
}

TEST_F(HttpProbeTest, ScrapeParsesMetrics) {
  const auto r = probes::scrape(server_.url("/metrics"), 1000ms);
  ASSERT_TRUE(r.ok) << r.http.error;
  EXPECT_DOUBLE_EQ(probes::sum_of(r.metrics, "otelcol_exporter_sent_spans"), 7);
  EXPECT_FALSE(probes::scrape(server_.url("/fail"), 1000ms).ok);
}

TEST_F(HttpProbeTest, SendOtlpSpanPostsToV1TracesUnderTheBaseUrl) {
  const auto trace = probes::new_trace_id();
  const auto r = probes::send_otlp_span(server_.url("/api/default/"), trace, probes::new_span_id(), "probe", 1000ms,
                                        {{"Authorization", "Basic dTpw"}});
  ASSERT_TRUE(r.ok()) << r.status << " " << r.error;
  std::lock_guard lock(mutex_);
  ASSERT_EQ(received_traces_.size(), 1u);
  const auto body = nlohmann::json::parse(received_traces_[0]);
  EXPECT_EQ(body["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"], trace);
  EXPECT_EQ(received_auth_, "Basic dTpw");
}

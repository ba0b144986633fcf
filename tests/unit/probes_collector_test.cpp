// Unit tests of the Prometheus text parser, metric sums and the OTLP/JSON span builder.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "sea/probes/collector_probe.hpp"
#include "sea/testsupport/ports.hpp"

using namespace std::chrono_literals;
namespace probes = sea::probes;

namespace {
const char* kExposition = R"(# HELP otelcol_exporter_sent_spans Number of spans sent.
# TYPE otelcol_exporter_sent_spans counter
otelcol_exporter_sent_spans_total{service_name="otelcol",exporter="otlphttp"} 42
otelcol_exporter_sent_spans_total{exporter="debug",service_name="otelcol"} 8
otelcol_exporter_queue_size{exporter="otlphttp"} 3 1700000000000
otelcol_exporter_queue_capacity{exporter="otlphttp"} 1000
weird_label{path="a\"b,c}d",empty=""} 1.5e3
up 1
not_a_number NaN
positive_inf +Inf
)";
}  // namespace

TEST(PrometheusParser, ParsesSamplesWithSortedLabelKeys) {
  const auto parsed = probes::parse_prometheus_text(kExposition);
  EXPECT_TRUE(parsed.errors.empty()) << parsed.errors.front();
  EXPECT_EQ(parsed.metrics.size(), 8u);
  EXPECT_DOUBLE_EQ(parsed.metrics.at(R"(otelcol_exporter_sent_spans_total{exporter="otlphttp",service_name="otelcol"})"), 42);
  EXPECT_DOUBLE_EQ(parsed.metrics.at(R"(otelcol_exporter_queue_size{exporter="otlphttp"})"), 3);  // timestamp ignored
  EXPECT_DOUBLE_EQ(parsed.metrics.at("up"), 1);
  EXPECT_DOUBLE_EQ(parsed.metrics.at(R"(weird_label{empty="",path="a\"b,c}d"})"), 1500);
  EXPECT_TRUE(std::isnan(parsed.metrics.at("not_a_number")));
  EXPECT_TRUE(std::isinf(parsed.metrics.at("positive_inf")));
}

TEST(PrometheusParser, ReportsMalformedLinesAndKeepsTheRest) {
  const auto parsed = probes::parse_prometheus_text("good 1\nbad{x=\"1\" 2\nno_value\nworse abc\n{x=\"1\"} 3\nalso_good 2\n");
  EXPECT_EQ(parsed.metrics.size(), 2u);
  ASSERT_EQ(parsed.errors.size(), 4u);
  EXPECT_NE(parsed.errors[0].find("line 2"), std::string::npos);
  EXPECT_NE(parsed.errors[2].find("bad value 'abc'"), std::string::npos);
}

TEST(PrometheusParser, SplitMetricKeyRoundTrips) {
  const auto key = probes::split_metric_key(R"(m{a="1",b="x\"y"})");
  EXPECT_EQ(key.name, "m");
  ASSERT_EQ(key.labels.size(), 2u);
  EXPECT_EQ(key.labels.at("b"), "x\"y");
}

TEST(PrometheusSums, ToleratesTotalSuffixBothWaysAndFiltersLabels) {
  const auto metrics = probes::parse_prometheus_text(kExposition).metrics;
  EXPECT_DOUBLE_EQ(probes::sum_of(metrics, "otelcol_exporter_sent_spans"), 50);
  EXPECT_DOUBLE_EQ(probes::sum_of(metrics, "otelcol_exporter_sent_spans_total"), 50);
  EXPECT_DOUBLE_EQ(probes::sum_of(metrics, "otelcol_exporter_sent_spans", {{"exporter", "otlphttp"}}), 42);
  EXPECT_DOUBLE_EQ(probes::sum_of(metrics, "otelcol_exporter_queue_size_total"), 3);
  EXPECT_DOUBLE_EQ(probes::sum_of(metrics, "otelcol_exporter_sent"), 0);  // no prefix matching
  EXPECT_DOUBLE_EQ(probes::sum_of(metrics, "not_a_number"), 0);           // NaN is skipped
  EXPECT_TRUE(probes::has_metric(metrics, "otelcol_exporter_queue_capacity"));
  EXPECT_FALSE(probes::has_metric(metrics, "otelcol_exporter_send_failed_spans"));
}

TEST(OtlpIds, AreRandomLowerHexOfTheRightLength) {
  const auto trace = probes::new_trace_id();
  const auto span = probes::new_span_id();
  EXPECT_TRUE(probes::is_valid_trace_id(trace)) << trace;
  EXPECT_TRUE(probes::is_valid_span_id(span)) << span;
  EXPECT_NE(trace, probes::new_trace_id());
  EXPECT_FALSE(probes::is_valid_trace_id(std::string(32, '0')));
  EXPECT_FALSE(probes::is_valid_trace_id(std::string(31, 'a')));
  EXPECT_FALSE(probes::is_valid_span_id("ABCDEF0123456789"));
}

TEST(OtlpJson, BuildsOneSpanExportRequest) {
  const auto trace = probes::new_trace_id();
  const auto span = probes::new_span_id();
  const auto body = nlohmann::json::parse(probes::otlp_trace_json(trace, span, "probe-span", "svc"));
  const auto& resource_spans = body.at("resourceSpans");
  ASSERT_EQ(resource_spans.size(), 1u);
  EXPECT_EQ(resource_spans[0]["resource"]["attributes"][0]["key"], "service.name");
  EXPECT_EQ(resource_spans[0]["resource"]["attributes"][0]["value"]["stringValue"], "svc");
  const auto& s = resource_spans[0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(s["traceId"], trace);
  EXPECT_EQ(s["spanId"], span);
  EXPECT_EQ(s["name"], "probe-span");
  const auto start = std::stoll(s["startTimeUnixNano"].get<std::string>());
  const auto end = std::stoll(s["endTimeUnixNano"].get<std::string>());
  EXPECT_GT(end, start);
}

TEST(OtlpSend, InvalidIdsAreRejectedBeforeSending) {
  const auto bad_trace = probes::send_otlp_span("http://127.0.0.1:1", "xyz", probes::new_span_id(), "n", 200ms);
  EXPECT_EQ(bad_trace.outcome, probes::HttpOutcome::other_error);
  EXPECT_NE(bad_trace.error.find("bad trace id"), std::string::npos);
  const auto bad_span = probes::send_otlp_span("http://127.0.0.1:1", probes::new_trace_id(), "", "n", 200ms);
  EXPECT_NE(bad_span.error.find("bad span id"), std::string::npos);
}

TEST(OtlpSend, RefusedEndpointIsReportedAsRefused) {
  const int port = sea::testsupport::closed_loopback_port();
  const auto result = probes::send_otlp_span("http://127.0.0.1:" + std::to_string(port) + "/", probes::new_trace_id(),
                                             probes::new_span_id(), "n", 1000ms);
  EXPECT_EQ(result.outcome, probes::HttpOutcome::refused) << result.error;
}

TEST(Scrape, FailedRequestIsNotOk) {
  const auto result = probes::scrape("http://127.0.0.1:" + std::to_string(sea::testsupport::closed_loopback_port()) + "/metrics", 500ms);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.http.outcome, probes::HttpOutcome::refused);
  EXPECT_TRUE(result.metrics.empty());
}

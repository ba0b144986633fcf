// (d) hung-export-abandoned judged from the collector's request-duration histogram, on scrapes shaped like
// otelcol-sea 0.165's /metrics (buckets ... 2.5, 5, 7.5, 10 s; one series per error_type): a hung backend met with
// the 5 s timeout is valid, one request held past 7.5 s is invalid, a fault that hung nothing (or a collector that
// exports no histogram) is unknown, never valid.
#include "collector_metrics.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sea::chaos {
namespace {

// One http_client_request_duration series (to the backend's port 5080) with `fast` requests under 2.5 s, `timed_out`
// in (2.5, 7.5] and `held` beyond 7.5 s, plus the exporter counters read_exporter_metrics requires.
probes::MetricMap scrape(int fast, int timed_out, int held, const std::string& port = "5080") {
    const std::string labels = "error_type=\"x\",server_port=\"" + port + "\"";
    return {{"otelcol_exporter_sent_spans{exporter=\"otlphttp/openobserve\"}", 10},
            {"http_client_request_duration_bucket{" + labels + ",le=\"2.5\"}", fast},
            {"http_client_request_duration_bucket{" + labels + ",le=\"7.5\"}", fast + timed_out},
            {"http_client_request_duration_bucket{" + labels + ",le=\"+Inf\"}", fast + timed_out + held},
            {"http_client_request_duration_count{" + labels + "}", fast + timed_out + held}};
}

std::vector<fixtures::Op<ExporterMetrics>> history_ending_with(const probes::MetricMap& last) {
    fixtures::Op<ExporterMetrics> op;
    op.value = exporter_metrics_from(last);
    return {op};
}

TEST(HungExportsAbandoned, RequestsEndedByTheTimeoutAreValid) {
    const auto baseline = exporter_metrics_from(scrape(40, 0, 0));
    const auto v = hung_exports_abandoned(history_ending_with(scrape(90, 3, 0)), baseline);
    EXPECT_TRUE(v.valid()) << v.summary();
    EXPECT_EQ(v.counts.at("ended_after_2_5s"), 3U);
    EXPECT_EQ(v.counts.at("export_requests"), 53U);
}

TEST(HungExportsAbandoned, ARequestHeldPastTheTimeoutIsInvalid) {
    const auto baseline = exporter_metrics_from(scrape(40, 0, 0));
    const auto v = hung_exports_abandoned(history_ending_with(scrape(90, 0, 2)), baseline);
    EXPECT_TRUE(v.invalid()) << v.summary();
    EXPECT_EQ(v.counts.at("outlived_7_5s"), 2U);
}

TEST(HungExportsAbandoned, OnlyRequestsSinceTheBaselineCount) {
    // A request held before the fault (in the baseline already) is not this fault's.
    const auto baseline = exporter_metrics_from(scrape(40, 1, 1));
    EXPECT_TRUE(hung_exports_abandoned(history_ending_with(scrape(90, 2, 1)), baseline).valid());
}

TEST(HungExportsAbandoned, AFaultThatHungNoExportIsUnknown) {
    const auto baseline = exporter_metrics_from(scrape(40, 0, 0));
    EXPECT_TRUE(hung_exports_abandoned(history_ending_with(scrape(90, 0, 0)), baseline).unknown());
}

TEST(HungExportsAbandoned, NoHistogramOrAnotherPortIsUnknown) {
    const auto baseline = exporter_metrics_from(scrape(40, 0, 0));
    probes::MetricMap bare{{"otelcol_exporter_sent_spans", 10}};
    EXPECT_FALSE(exporter_metrics_from(bare).durations_ok);
    EXPECT_TRUE(hung_exports_abandoned(history_ending_with(bare), baseline).unknown());
    EXPECT_TRUE(hung_exports_abandoned(history_ending_with(scrape(90, 0, 5, "8080")), baseline).unknown());
}

}  // namespace
}  // namespace sea::chaos

// The OpenTelemetry Collector's exporter metrics as openobserve_stall records and judges them.
#pragma once

#include "sea/fixtures/check.hpp"
#include "sea/fixtures/history.hpp"
#include "sea/probes/collector_probe.hpp"

#include <string>
#include <vector>

namespace sea::chaos {

struct ExporterMetrics {
    bool ok = false;  // the exporter's counters were read (they appear with its first export)
    double queue_size = 0, sent = 0, send_failed = 0, enqueue_failed = 0;
    // The exporter's HTTP requests to the backend (tcp/5080), from the collector's own client histogram
    // http_client_request_duration (service.telemetry.metrics.level: detailed), cumulative: all of them, those that
    // took longer than 2.5 s (a backend that answers takes milliseconds: these are the ones the exporter's 5 s
    // timeout ended) and those that took longer than 7.5 s (outlived that timeout). durations_ok: the histogram
    // and both buckets were found.
    bool durations_ok = false;
    double export_requests = 0, export_requests_over_2_5s = 0, export_requests_over_7_5s = 0;
    std::string error;
    [[nodiscard]] fixtures::Outcome outcome() const { return ok ? fixtures::Outcome::ok : fixtures::Outcome::fail; }
    [[nodiscard]] std::string describe() const;
};

// Scrapes <metrics_url> (Prometheus text). A collector without a sending_queue has no queue metric (queue 0).
ExporterMetrics read_exporter_metrics(const std::string& metrics_url);
// The same from metrics already scraped (ok iff otelcol_exporter_sent_spans is among them).
ExporterMetrics exporter_metrics_from(const probes::MetricMap& metrics);

// (b) of openobserve_stall: the exporter's queue grew while the backend was down, and nothing failed to enqueue or
// was dropped after retries (counters relative to `baseline`, read before the fault).
check::Verdict queued_not_dropped(const std::vector<fixtures::Op<ExporterMetrics>>& ops, const ExporterMetrics& baseline);

// (d) of a backend that hangs (accepts, never answers): the exporter abandoned its hung requests at its timeout.
// Over `ops` (relative to `baseline`): at least one request ended between 2.5 and 7.5 s (the hang drove the timeout
// path; none is unknown: the fault did not hang an export), and none lasted longer than 7.5 s (the 5 s timeout +
// the histogram's next bucket; an exporter without a timeout holds its request until the hang ends, here >= 10 s).
check::Verdict hung_exports_abandoned(const std::vector<fixtures::Op<ExporterMetrics>>& ops, const ExporterMetrics& baseline);

}  // namespace sea::chaos

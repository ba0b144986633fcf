// TelemetryScenario: the telemetry path's invariant set (app -> OTLP -> otel-collector -> OpenObserve), stated once,
// for every fault that can break it (the seed's openobserve_stall and the telemetry_faults matrix).
//
// Invariants (letters: the ids of the mutant table and SEA_STOP_AT_VIOLATION)
//  (a) collector-accepts: the collector's health endpoint answers 200 and every probe span POST gets a 2xx
//      (a fault that restarts the collector itself exempts the spans sent while it was down: refused, not lost);
//  (b) queues-not-drops: while the backend is unreachable the exporter's queue grows, and the collector's counts of
//      spans it failed to enqueue or gave up sending stay 0;
//  (c) drains-and-delivers: after the heal the queue drains to 0 and the backend confirms, through OpenObserve's
//      own search API, every span the collector accepted during the fault (none vanishes silently).
//  (d) hung-export-abandoned (faults that hang the backend: pause, DROP partition): the exporter ends a request
//      the backend never answers at its 5 s timeout and retries, instead of waiting as long as the hang lasts (a
//      hang that never ends would hold the queue's consumers for good); judged from the collector's own
//      request-duration histogram (collector_metrics.hpp: hung_exports_abandoned).
#pragma once

#include "collector_metrics.hpp"
#include "http_answer.hpp"

#include "sea/fixtures/scenario.hpp"
#include "sea/probes/http_probe.hpp"
#include "sea/probes/openobserve_probe.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace sea::chaos {

// One probe span POSTed to the collector, as the History records it.
struct SpanSent {
    std::string span_id;
    probes::HttpResult http;
    [[nodiscard]] fixtures::Outcome outcome() const { return http.ok() ? fixtures::Outcome::ok : fixtures::Outcome::fail; }
    [[nodiscard]] std::string describe() const;
};

class TelemetryScenario : public fixtures::ScenarioTest {
protected:
    explicit TelemetryScenario(std::string name);

    void check_steady_state() override;

    // Probe spans every 100 ms, collector health every 200 ms, exporter metrics every 250 ms; the baseline metrics
    // are read first. False (with a failure) when they cannot be.
    bool record_telemetry();
    [[nodiscard]] std::vector<fixtures::Op<SpanSent>> spans() const { return spans_->ops(); }
    [[nodiscard]] std::vector<fixtures::Op<HttpAnswer>> health() const { return health_->ops(); }
    [[nodiscard]] std::vector<fixtures::Op<ExporterMetrics>> metrics() const { return metrics_->ops(); }
    [[nodiscard]] const ExporterMetrics& baseline() const { return baseline_; }

    // Waits (<= 60 s) until the exporter has visibly queued and `spans` probe spans arrived in the fault phase.
    void await_queued(std::size_t spans);

    // Which of `span_ids` (sent from `first_sent` on) the backend holds, through OpenObserve's search API.
    [[nodiscard]] probes::SpanPresence backend_holds(const std::vector<std::string>& span_ids, std::chrono::system_clock::time_point first_sent) const;
    // (c) over the spans of `sent` the collector accepted (2xx).
    [[nodiscard]] check::Verdict drained_and_delivered(const std::vector<fixtures::Op<SpanSent>>& sent) const;

    const std::string collector_url_;  // SEA_OTEL_HTTP_PORT
    const std::string health_url_;     // SEA_OTEL_HEALTH_PORT
    const std::string metrics_url_;    // SEA_OTEL_METRICS_PORT, /metrics
    const std::string backend_url_;    // SEA_OPENOBSERVE_PORT

private:
    fixtures::History<SpanSent>* spans_ = nullptr;
    fixtures::History<HttpAnswer>* health_ = nullptr;
    fixtures::History<ExporterMetrics>* metrics_ = nullptr;
    ExporterMetrics baseline_;
};

}  // namespace sea::chaos

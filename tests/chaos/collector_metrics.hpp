// The OpenTelemetry Collector's exporter metrics as openobserve_stall records and judges them.
#pragma once

#include "sea/fixtures/check.hpp"
#include "sea/fixtures/history.hpp"

#include <string>
#include <vector>

namespace sea::chaos {

struct ExporterMetrics {
    bool ok = false;  // the exporter's counters were read (they appear with its first export)
    double queue_size = 0, sent = 0, send_failed = 0, enqueue_failed = 0;
    std::string error;
    [[nodiscard]] fixtures::Outcome outcome() const { return ok ? fixtures::Outcome::ok : fixtures::Outcome::fail; }
    [[nodiscard]] std::string describe() const;
};

// Scrapes <metrics_url> (Prometheus text). A collector without a sending_queue has no queue metric (queue 0).
ExporterMetrics read_exporter_metrics(const std::string& metrics_url);

// (b) of openobserve_stall: the exporter's queue grew while the backend was down, and nothing failed to enqueue or
// was dropped after retries (counters relative to `baseline`, read before the fault).
check::Verdict queued_not_dropped(const std::vector<fixtures::Op<ExporterMetrics>>& ops, const ExporterMetrics& baseline);

}  // namespace sea::chaos

#include "collector_metrics.hpp"

#include "sea/probes/collector_probe.hpp"

#include <fmt/format.h>

namespace sea::chaos {

using namespace std::chrono_literals;

ExporterMetrics read_exporter_metrics(const std::string& metrics_url) {
    const auto scraped = probes::scrape(metrics_url, 2s);
    ExporterMetrics m;
    // The exporter's counters appear with its first export; a collector without a sending_queue has no queue
    // metric at all (its queue is then 0 by definition).
    m.ok = scraped.ok && probes::has_metric(scraped.metrics, "otelcol_exporter_sent_spans");
    if (!m.ok) {
        m.error = scraped.ok ? "otelcol_exporter_sent_spans not exported yet" : scraped.http.error;
        return m;
    }
    m.queue_size = probes::sum_of(scraped.metrics, "otelcol_exporter_queue_size");
    m.sent = probes::sum_of(scraped.metrics, "otelcol_exporter_sent_spans");
    m.send_failed = probes::sum_of(scraped.metrics, "otelcol_exporter_send_failed_spans");
    m.enqueue_failed = probes::sum_of(scraped.metrics, "otelcol_exporter_enqueue_failed_spans");
    return m;
}

std::string ExporterMetrics::describe() const {
    const auto& m = *this;
    return m.ok ? fmt::format("queue {} sent {} send_failed {} enqueue_failed {}", m.queue_size, m.sent, m.send_failed, m.enqueue_failed)
                : "metrics: " + m.error;
}

check::Verdict queued_not_dropped(const std::vector<fixtures::Op<ExporterMetrics>>& ops, const ExporterMetrics& baseline) {
    const auto value = [](double ExporterMetrics::*field, double base) {
        return [field, base](const fixtures::Op<ExporterMetrics>& op) -> std::optional<double> {
            return op.value.ok ? std::optional(op.value.*field - base) : std::nullopt;
        };
    };
    constexpr double kNoLimit = 1e308;
    return check::compose({{"queue", check::bounded_by(ops, "exporter queue size", value(&ExporterMetrics::queue_size, 0), 1, kNoLimit)},
                           {"enqueue", check::bounded_by(ops, "spans failed to enqueue", value(&ExporterMetrics::enqueue_failed, baseline.enqueue_failed), 0, 0)},
                           {"send", check::bounded_by(ops, "spans dropped after retries", value(&ExporterMetrics::send_failed, baseline.send_failed), 0, 0)}});
}


}  // namespace sea::chaos

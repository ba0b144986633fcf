#include "collector_metrics.hpp"

#include <fmt/format.h>

namespace sea::chaos {

using namespace std::chrono_literals;

namespace {

// The backend's port inside the compose network (the exporter's endpoint, infra/otel/collector.yaml).
constexpr const char* kBackendPort = "5080";

void read_export_durations(const probes::MetricMap& metrics, ExporterMetrics& m) {
    bool count_seen = false, le_2_5_seen = false, le_7_5_seen = false;
    double within_2_5 = 0, within_7_5 = 0;
    for (const auto& [key, value] : metrics) {
        const auto k = probes::split_metric_key(key);
        const auto port = k.labels.find("server_port");
        if (port == k.labels.end() || port->second != kBackendPort) continue;
        if (k.name == "http_client_request_duration_count") {
            count_seen = true;
            m.export_requests += value;
        } else if (k.name == "http_client_request_duration_bucket") {
            const auto le = k.labels.find("le");
            if (le == k.labels.end()) continue;
            if (le->second == "2.5") le_2_5_seen = true, within_2_5 += value;
            if (le->second == "7.5") le_7_5_seen = true, within_7_5 += value;
        }
    }
    m.durations_ok = count_seen && le_2_5_seen && le_7_5_seen;
    if (!m.durations_ok) return;
    m.export_requests_over_2_5s = m.export_requests - within_2_5;
    m.export_requests_over_7_5s = m.export_requests - within_7_5;
}

}  // namespace

ExporterMetrics read_exporter_metrics(const std::string& metrics_url) {
    const auto scraped = probes::scrape(metrics_url, 2s);
    if (!scraped.ok) {
        ExporterMetrics m;
        m.error = scraped.http.error;
        return m;
    }
    return exporter_metrics_from(scraped.metrics);
}

ExporterMetrics exporter_metrics_from(const probes::MetricMap& metrics) {
    ExporterMetrics m;
    // The exporter's counters appear with its first export; a collector without a sending_queue has no queue
    // metric at all (its queue is then 0 by definition).
    m.ok = probes::has_metric(metrics, "otelcol_exporter_sent_spans");
    if (!m.ok) {
        m.error = "otelcol_exporter_sent_spans not exported yet";
        return m;
    }
    m.queue_size = probes::sum_of(metrics, "otelcol_exporter_queue_size");
    m.sent = probes::sum_of(metrics, "otelcol_exporter_sent_spans");
    m.send_failed = probes::sum_of(metrics, "otelcol_exporter_send_failed_spans");
    m.enqueue_failed = probes::sum_of(metrics, "otelcol_exporter_enqueue_failed_spans");
    read_export_durations(metrics, m);
    return m;
}

std::string ExporterMetrics::describe() const {
    const auto& m = *this;
    if (!m.ok) return "metrics: " + m.error;
    auto text = fmt::format("queue {} sent {} send_failed {} enqueue_failed {}", m.queue_size, m.sent, m.send_failed, m.enqueue_failed);
    if (m.durations_ok) {
        text += fmt::format(" export requests {} (> 2.5 s {}, > 7.5 s {})", m.export_requests, m.export_requests_over_2_5s, m.export_requests_over_7_5s);
    }
    return text;
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

check::Verdict hung_exports_abandoned(const std::vector<fixtures::Op<ExporterMetrics>>& ops, const ExporterMetrics& baseline) {
    const ExporterMetrics* last = nullptr;
    for (const auto& op : ops) {
        if (op.value.ok && op.value.durations_ok) last = &op.value;
    }
    if (last == nullptr || !baseline.durations_ok) {
        return check::unknown("the exporter's request-duration histogram (http_client_request_duration, server_port 5080) was not read");
    }
    const double timed_out = last->export_requests_over_2_5s - baseline.export_requests_over_2_5s;
    const double outlived = last->export_requests_over_7_5s - baseline.export_requests_over_7_5s;
    const double requests = last->export_requests - baseline.export_requests;
    check::Verdict v;
    v.counts["export_requests"] = static_cast<std::uint64_t>(requests);
    v.counts["ended_after_2_5s"] = static_cast<std::uint64_t>(timed_out);
    v.counts["outlived_7_5s"] = static_cast<std::uint64_t>(outlived);
    if (outlived > 0) {
        v.validity = check::Validity::invalid;
        v.evidence = fmt::format("{} of {} export requests outlived the exporter's 5 s timeout (> 7.5 s): a hung backend held them", outlived, requests);
    } else if (timed_out == 0) {
        v.evidence = fmt::format("no export request ended after 2.5-7.5 s ({} requests): the fault hung no export, so the timeout was not exercised", requests);
    } else {
        v.validity = check::Validity::valid;
        v.evidence = fmt::format("{} export requests ended by the timeout (2.5-7.5 s), none outlived it ({} requests)", timed_out, requests);
    }
    return v;
}

}  // namespace sea::chaos

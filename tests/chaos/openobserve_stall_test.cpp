// Scenario openobserve_stall (profile chaos-observe): `docker stop sea-openobserve` (the trace backend) while
// probe spans keep arriving at the OpenTelemetry Collector over OTLP/HTTP.
//
// Invariants (collector-based)
//  (a) collector-accepts: the collector's health endpoint answers 200 and every probe span POST gets a 2xx,
//      throughout;
//  (b) queues-not-drops: while the backend is down the exporter's queue grows, and the collector's counts of
//      spans it failed to enqueue or gave up sending stay 0 (in the collector, send_failed counts spans dropped
//      after retries, not attempts: with retry_on_failure the attempts are invisible until they give up);
//  (c) drains-and-delivers: after the backend returns, the queue drains to 0, the exporter's sent count rose by
//      at least the number of stall spans, and the backend confirms every stall span id through its own
//      search API (OpenObserve's POST /api/default/_search?type=traces, which the stand-in implements too).
#include "sea/fixtures/env.hpp"
#include "sea/fixtures/fault.hpp"
#include "sea/fixtures/probe_loop.hpp"
#include "sea/fixtures/scenario.hpp"
#include "sea/probes/collector_probe.hpp"
#include "sea/probes/http_probe.hpp"
#include "sea/probes/openobserve_probe.hpp"

#include "samples.hpp"

#include <fmt/format.h>
#include <vector>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;

struct SpanSent {
    std::string span_id;
    bool accepted = false;
    std::string detail;
};

struct ExporterMetrics {
    bool ok = false;
    double queue_size = 0, sent = 0, send_failed = 0, enqueue_failed = 0;
    std::string error;
};

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

std::string describe(const ExporterMetrics& m) {
    return m.ok ? fmt::format("queue {} sent {} send_failed {} enqueue_failed {}", m.queue_size, m.sent, m.send_failed, m.enqueue_failed)
                : "metrics: " + m.error;
}

class OpenobserveStall : public fixtures::ScenarioTest {
protected:
    OpenobserveStall()
        : ScenarioTest(fixtures::ScenarioSpec{
              .name = "openobserve_stall",
              .profile = fixtures::profiles::observe(),
              .env = {},
          }) {}

    void check_steady_state() override {
        steady("collector healthy", 60s, [&] {
            const auto r = probes::http_get(health_, 1s);
            return Observation(r.ok(), fmt::format("{} {}", probes::to_string(r.outcome), r.status));
        });
        const auto span = probes::new_span_id();
        steady("a probe span is accepted", 30s, [&] {
            const auto r = probes::send_otlp_span(collector_, probes::new_trace_id(), span, "steady-state", 2s);
            return Observation(r.ok(), fmt::format("{} {}", probes::to_string(r.outcome), r.status));
        });
        const auto span_sent = std::chrono::system_clock::now();
        steady("the backend confirms the steady-state span", 30s, [&] {
            const auto r = backend_holds({span}, span_sent);
            return Observation(r.ok && r.found.count(span) == 1, r.ok ? fmt::format("backend holds {} of 1", r.found.size()) : r.error);
        });
        steady("exporter queue empty", 30s, [&] {
            const auto m = read_exporter_metrics(metrics_);
            return Observation(m.ok && m.queue_size == 0, describe(m));
        });
    }

    // Which of `span_ids` (sent from `first_sent` on) the backend holds, asked through OpenObserve's own search
    // API (POST /api/default/_search?type=traces, sea/probes/openobserve_probe.hpp), which the real server and
    // the hermetic stand-in both answer. The window starts 60 s before the first span: spans carry their send
    // time as start (_timestamp), and the clocks are the same host's.
    probes::SpanPresence backend_holds(const std::vector<std::string>& span_ids, std::chrono::system_clock::time_point first_sent) const {
        const probes::OpenObserveTarget target{.base_url = backend_,
                                               .user = fixtures::env_or("SEA_OPENOBSERVE_USER", "root@sea-chaos.local"),
                                               .password = fixtures::env_or("SEA_OPENOBSERVE_PASSWORD", "sea-chaos-observe")};
        return probes::spans_present(target, span_ids, first_sent - 60s, std::chrono::system_clock::now() + 60s, 5s);
    }

    const std::string collector_ = spec().profile.url("collector");         // SEA_OTEL_HTTP_PORT
    const std::string health_ = spec().profile.url("collector-health");     // SEA_OTEL_HEALTH_PORT
    const std::string metrics_ = spec().profile.url("collector-metrics");   // SEA_OTEL_METRICS_PORT, /metrics
    const std::string backend_ = spec().profile.url("openobserve");         // SEA_OPENOBSERVE_PORT
};

TEST_F(OpenobserveStall, CollectorQueuesAndDeliversEverySpan) {
    const auto baseline = read_exporter_metrics(metrics_);
    ASSERT_TRUE(baseline.ok) << "STACK NOT STEADY: " << describe(baseline);

    std::atomic<bool> stalled{false};
    Samples<SpanSent> stall_spans, other_spans;
    Samples<probes::HttpResult> health;
    Samples<ExporterMetrics> metrics;
    fixtures::ProbeLoop span_loop("otlp spans", {.interval = 100ms, .max_iterations = 1500, .max_duration = 150s}, [&](std::uint64_t i) {
        const auto sent = Clock::now();
        const bool during_stall = stalled.load();
        const auto span = probes::new_span_id();
        const auto r = probes::send_otlp_span(collector_, probes::new_trace_id(), span, fmt::format("chaos-probe-{}", i), 2s);
        timeline().event("otlp-span", r.ok(), r.latency, fmt::format("{} {}", probes::to_string(r.outcome), r.status));
        (during_stall ? stall_spans : other_spans).add(sent, SpanSent{span, r.ok(), fmt::format("{} {}", probes::to_string(r.outcome), r.status)});
    });
    fixtures::ProbeLoop health_loop("collector health", {.interval = 200ms, .max_iterations = 1000, .max_duration = 150s}, [&](std::uint64_t) {
        const auto sent = Clock::now();
        auto r = probes::http_get(health_, 1s);
        timeline().event("collector-health", r.ok(), r.latency, std::to_string(r.status));
        health.add(sent, std::move(r));
    });
    fixtures::ProbeLoop metrics_loop("exporter metrics", {.interval = 250ms, .max_iterations = 1000, .max_duration = 150s}, [&](std::uint64_t) {
        const auto sent = Clock::now();
        auto m = read_exporter_metrics(metrics_);
        timeline().event("exporter-metrics", m.ok, {}, describe(m));
        metrics.add(sent, std::move(m));
    });

    auto& stop = make_fault<fixtures::ContainerStop>("sea-openobserve", fixtures::FaultOptions{}, std::chrono::seconds(5));
    stalled = true;
    ASSERT_TRUE(inject(stop, 10s, [&] {
        std::string evidence;
        const bool exited = stop.verify_injected(evidence);
        const auto probe = probes::http_get(backend_ + "/healthz", 500ms);
        return Observation(exited && !probe.ok(), fmt::format("{}; backend probe {} {}", evidence, probes::to_string(probe.outcome), probe.status));
    }));

    // Hold the stall until the exporter has visibly queued and at least 100 probe spans (10 s at 10/s) arrived
    // during it. The retry policy (infra/otel/collector.yaml) keeps retrying for 300 s, far beyond this window.
    const auto held = fixtures::eventually("stall held: queue grew and 100 spans arrived during it", fixtures::Deadline::in(60s), [&] {
        const auto m = read_exporter_metrics(metrics_);
        return Observation(m.ok && m.queue_size > 0 && stall_spans.size() >= 100,
                           fmt::format("{}; {} stall spans", describe(m), stall_spans.size()));
    });
    stalled = false;
    heal();
    EXPECT_TRUE(held.met) << "INVARIANT VIOLATED [openobserve_stall/b queues-not-drops] " << held.failure_message();

    const auto stall = stall_spans.snapshot();
    std::vector<std::string> stall_ids;
    for (const auto& s : stall) stall_ids.push_back(s.value.span_id);
    const auto first_stall_span = stall.empty() ? std::chrono::system_clock::now() : std::chrono::system_clock::now() - std::chrono::duration_cast<std::chrono::system_clock::duration>(Clock::now() - stall.front().sent);
    // (c) retry_on_failure re-sends every 2 s at most (max_interval) and the backend starts in < 1 s, so the
    // queue drains within seconds of the heal; 60 s is the suite's minimum deadline.
    invariant_eventually("c drains-and-delivers", 60s, [&] {
        const auto m = read_exporter_metrics(metrics_);
        // Delivery is read back through the backend's search API (_search), not counted by the collector.
        const auto search = backend_holds(stall_ids, first_stall_span);
        const std::size_t missing = search.ok ? search.missing_of(stall_ids) : stall_ids.size();
        const double sent_delta = m.sent - baseline.sent;
        return Observation(m.ok && m.queue_size == 0 && search.ok && missing == 0 && sent_delta >= static_cast<double>(stall.size()),
                           fmt::format("{}; sent +{} (need ≥ {}); backend search misses {} of {} stall spans{}", describe(m), sent_delta,
                                       stall.size(), missing, stall.size(), search.ok ? "" : " (" + search.error + ")"));
    });
    recovered();
    span_loop.stop();
    health_loop.stop();
    metrics_loop.stop();

    std::size_t rejected = 0, unhealthy = 0;
    std::string first_problem;
    for (const auto* set : {&stall_spans, &other_spans}) {
        for (const auto& s : set->snapshot()) {
            if (s.value.accepted) continue;
            ++rejected;
            if (first_problem.empty()) first_problem = "span " + s.value.span_id + ": " + s.value.detail;
        }
    }
    const auto health_samples = health.snapshot();
    for (const auto& s : health_samples) {
        if (s.value.ok()) continue;
        ++unhealthy;
        if (first_problem.empty()) first_problem = fmt::format("health {} {}", probes::to_string(s.value.outcome), s.value.status);
    }
    invariant_verdict("a collector-accepts", rejected == 0 && unhealthy == 0 && !stall.empty(),
                      fmt::format("{} stall spans + {} others posted, {} rejected; {} health probes, {} not 200{}{}", stall.size(),
                                  other_spans.size(), rejected, health_samples.size(), unhealthy, first_problem.empty() ? "" : "; first: ",
                                  first_problem));

    double max_queue = 0, enqueue_failed = 0, send_failed = 0;
    for (const auto& s : metrics.snapshot()) {
        if (!s.value.ok) continue;
        max_queue = std::max(max_queue, s.value.queue_size);
        enqueue_failed = std::max(enqueue_failed, s.value.enqueue_failed - baseline.enqueue_failed);
        send_failed = std::max(send_failed, s.value.send_failed - baseline.send_failed);
    }
    invariant_verdict("b queues-not-drops", max_queue > 0 && enqueue_failed == 0 && send_failed == 0,
                      fmt::format("max queue size {}; spans failed to enqueue +{}; spans dropped after retries +{}", max_queue,
                                  enqueue_failed, send_failed));
}

}  // namespace
}  // namespace sea::chaos

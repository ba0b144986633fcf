// Scenario openobserve_stall (profile chaos-observe): `docker stop` of the openobserve service (the trace backend) while
// probe spans keep arriving at the OpenTelemetry Collector over OTLP/HTTP (the seed's fault; the same invariants
// under other faults: telemetry_faults_test.cpp).
//
// Invariants (stated once in telemetry_scenario.hpp): (a) collector-accepts, (b) queues-not-drops (in the collector,
// send_failed counts spans dropped after retries, not attempts: with retry_on_failure the attempts are invisible
// until they give up), (c) drains-and-delivers.
#include "telemetry_scenario.hpp"

#include <fmt/format.h>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;

class OpenobserveStall : public TelemetryScenario {
protected:
    OpenobserveStall() : TelemetryScenario("openobserve_stall") {}
};

TEST_F(OpenobserveStall, CollectorQueuesAndDeliversEverySpan) {
    if (!record_telemetry()) return;

    auto& stop = make_fault<fixtures::ContainerStop>(stack().service("openobserve"), fixtures::FaultOptions{}, std::chrono::seconds(5));
    ASSERT_TRUE(inject(stop, 10s, [&] {
        std::string evidence;
        const bool exited = stop.verify_injected(evidence);
        const auto probe = probes::http_get(backend_url_ + "/healthz", 500ms);
        return Observation(exited && !probe.ok(), fmt::format("{}; backend probe {} {}", evidence, probes::to_string(probe.outcome), probe.status));
    }));
    // Hold the stall until the exporter has visibly queued and at least 100 probe spans (10 s at 10/s) arrived.
    await_queued(100);
    heal();

    const auto stall = check::in_phase(spans(), {fixtures::Phase::fault});
    // (c) retry_on_failure re-sends every 2 s at most (max_interval) and the backend starts in < 1 s, so the
    // queue drains within seconds of the heal; 60 s is the suite's minimum deadline.
    invariant_eventually("c drains-and-delivers", 60s, [&] { return drained_and_delivered(stall); });
    recovered();
    stop_recording();
    invariant("a collector-accepts", check::compose({{"spans", check::all_ok(spans())}, {"stall spans", check::all_ok(stall)}, {"health", check::all_ok(health())}}));
    invariant("b queues-not-drops", queued_not_dropped(metrics(), baseline()));
}

}  // namespace
}  // namespace sea::chaos

// Fault matrix telemetry_faults (profile chaos-observe): the telemetry invariants (telemetry_scenario.hpp: (a)
// collector-accepts, (b) queues-not-drops, (c) drains-and-delivers, and for the two hangs (d) hung-export-abandoned)
// under the faults other than the seed's backend stop (openobserve_stall_test.cpp). Probe spans arrive every 100 ms
// throughout. A hang is held >= 10 s (100 spans), twice the exporter's 5 s timeout: every run has requests the
// timeout ends (d's evidence), and an exporter without one holds its request >= 10 s (d's violation).
//
//  case                          fault                                             the path it drives
//  telemetry_oo_pause            OpenObserve paused until the queue grew and 100   exports hang: the exporter's 5 s
//                                spans arrived                                     timeout, not a refusal, must fire
//  telemetry_partition           DROP collector -> OpenObserve tcp/5080 in the     the same stall on a live backend
//                                collector's netns, held as above
//  telemetry_collector_restart   OpenObserve stopped until the queue holds spans,  spans the collector accepted are
//                                then the collector restarted; backend back 5 s    in its queue when it restarts: they
//                                later                                             must survive (persistent queue)
#include "matrix_case.hpp"
#include "telemetry_scenario.hpp"

#include <fmt/format.h>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;
using fixtures::Op;

enum class Kind { oo_pause, partition, collector_restart };

struct TelemetryCase {
    const char* name;
    Kind kind;
};
using matrix_case::PrintTo;  // GetParam() prints as the case's name (matrix_case.hpp)

class TelemetryFaults : public TelemetryScenario, public ::testing::WithParamInterface<TelemetryCase> {
protected:
    TelemetryFaults() : TelemetryScenario(GetParam().name) {}

    fixtures::Fault& make_case_fault() {
        switch (GetParam().kind) {
            case Kind::oo_pause: return make_fault<fixtures::ContainerPause>(stack().service("openobserve"));
            case Kind::partition:
                return make_fault<fixtures::IptablesPartition>(stack().service("otel-collector"), std::vector<int>{5080}, fixtures::FaultOptions{},
                                                               fixtures::PartitionMode{.side = fixtures::PartitionMode::Side::calls});
            case Kind::collector_restart: {
                std::vector<std::unique_ptr<fixtures::Fault>> parts;
                parts.push_back(std::make_unique<fixtures::ContainerStop>(stack().service("openobserve"), fixtures::FaultOptions{}, 5s));
                parts.push_back(std::make_unique<fixtures::ContainerRestart>(stack().service("otel-collector")));
                // Between the two: the queue holds spans the collector accepted (30 spans: 3 s of the 10 s budget).
                return make_fault<fixtures::CompoundFault>(std::move(parts), [this](std::size_t) {
                    const auto queued = fixtures::eventually("the exporter queue holds accepted spans", fixtures::Deadline::in(6s), [&] {
                        const auto m = read_exporter_metrics(metrics_url_);
                        const auto accepted = check::in_phase(spans(), {fixtures::Phase::fault}).size();
                        queued_before_restart_ = m.queue_size;
                        return Observation(m.ok && m.queue_size > 0 && accepted >= 30, fmt::format("{}; {} spans during the fault", m.describe(), accepted));
                    });
                    if (!queued.met) throw fixtures::FaultError("nothing queued to restart with: " + queued.failure_message());
                });
            }
        }
        throw std::logic_error("unknown case kind");
    }

    Observation took_effect(fixtures::Fault& fault) {
        std::string evidence;
        const bool in_place = fault.verify_injected(evidence);
        if (GetParam().kind == Kind::partition) {
            const auto dropped = dynamic_cast<fixtures::IptablesPartition&>(fault).dropped_packets();
            return Observation(in_place && dropped > 0, fmt::format("{}; {} packets dropped", evidence, dropped));
        }
        if (GetParam().kind == Kind::collector_restart) {
            return Observation(in_place, fmt::format("{}; the queue held {} batches at the restart", evidence, queued_before_restart_));
        }
        const auto probe = probes::http_get(backend_url_ + "/healthz", 500ms);
        return Observation(in_place && !probe.ok(), fmt::format("{}; backend probe {} {}", evidence, probes::to_string(probe.outcome), probe.status));
    }

    double queued_before_restart_ = 0;
};

TEST_P(TelemetryFaults, CollectorQueuesAndDeliversEverySpan) {
    if (!record_telemetry()) return;
    auto& fault = make_case_fault();
    ASSERT_TRUE(inject(fault, 10s, [&] { return took_effect(fault); }));
    if (GetParam().kind == Kind::collector_restart) {
        hold(5s);  // the restarted collector meets a backend still down: it must resend from its queue
    } else {
        await_queued(100);  // as the seed: the exporter visibly queued and 100 spans (10 s) arrived
    }
    heal();

    const auto during = check::in_phase(spans(), {fixtures::Phase::fault});
    // (c) retry_on_failure re-sends every 2 s at most and the backend starts in < 1 s: 60 s as the seed.
    invariant_eventually("c drains-and-delivers", 60s, [&] { return drained_and_delivered(during); });
    recovered();
    const bool restarts_collector = GetParam().kind == Kind::collector_restart;
    if (!restarts_collector) {
        // (d) only where the backend hangs (a refused or restarted peer ends every request at once), judged on the
        // recorded scrapes: a request held until the heal ends with the drain (c) just saw, so the verdict waits for
        // a scrape after it (one every 250 ms; 10 s covers scrapes slowed by load). The histogram is cumulative: a
        // request that outlived the timeout stays counted, so that verdict is final.
        invariant_eventually("d hung-export-abandoned", 10s, [&] {
            auto v = hung_exports_abandoned(metrics(), baseline());
            v.final = v.invalid();
            return v;
        });
    }
    stop_recording();
    // A restarted collector refuses spans while it is down (the client sees it: not a silent loss): (a) judges the
    // spans and health probes outside the fault for that case.
    const auto outside = [&](auto ops) {
        return restarts_collector ? check::in_phase(ops, {fixtures::Phase::prepare, fixtures::Phase::after_heal, fixtures::Phase::recovered}) : ops;
    };
    invariant("a collector-accepts", check::compose({{"spans", check::all_ok(outside(spans()))}, {"health", check::all_ok(outside(health()))}}));
    invariant("b queues-not-drops", queued_not_dropped(metrics(), baseline()));
}

INSTANTIATE_TEST_SUITE_P(Matrix, TelemetryFaults,
                         ::testing::Values(TelemetryCase{"telemetry_oo_pause", Kind::oo_pause}, TelemetryCase{"telemetry_partition", Kind::partition},
                                           TelemetryCase{"telemetry_collector_restart", Kind::collector_restart}),
                         matrix_case_name{});

}  // namespace
}  // namespace sea::chaos

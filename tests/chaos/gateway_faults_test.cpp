// Fault matrix gateway_faults (profile chaos-opa): the gateway <-> OPA invariants (gateway_scenario.hpp) under every
// fault that can break them other than the seed's restart (opa_restart_test.cpp). One value-parameterised case per
// fault, each its own ctest test, labelled with its scenario name (tests/chaos/scenarios.txt).
//
//  case           fault (held)                                  what it drives                      outage window
//  opa_pause      docker pause opa (10 s)                       OPA hangs: connections stay open,   OPA probes failing
//                                                               the gateway's OPA timeout must fire
//  opa_partition  DROP gateway -> OPA tcp/8181 in the gateway's OPA up but unreachable: stalls      the fault in place
//                 netns (10 s)                                  like a hang, direct probes fine
//  opa_stop       docker stop opa (30 s), then start            a long outage: 60 of the gateway's  OPA probes failing
//                                                               500 ms re-probes fail in a row
//  opa_no_policy  (profile chaos-opa-bundle) bundle server      OPA answers, but every decision is  the fault in place
//                 stopped, then OPA restarted: it comes back    undefined: readiness must say so,   + 2 s (d: readiness
//                 WITHOUT its policy (10 s), heal = start the   decisions never allow               may lag a restart
//                 bundle server (OPA polls it every 1-2 s)                                          by its 1.5 s grace)
// Invariants: (a) never-allow-while-opa-down on >= 50 answers inside the outage (4 parallel request loops: a hung
// OPA makes each answer take the 500 ms timeout), (b) liveness-stays-up, (c) decisions-return, (d)
// readiness-follows-opa (opa_no_policy: not ready on every /readyz of its window, >= 50 of them).
#include "gateway_scenario.hpp"
#include "matrix_case.hpp"

#include <fmt/format.h>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;
using fixtures::Op;

enum class Kind { pause, partition, stop, no_policy };

struct GatewayCase {
    const char* name;  // the scenario name (scenarios.txt, ctest label)
    Kind kind;
    std::chrono::seconds hold;
};

// Names in the gtest output and ctest: Matrix/GatewayFaults.Holds/<name>.
using matrix_case::PrintTo;  // GetParam() prints as the case's name (matrix_case.hpp)

class GatewayFaults : public GatewayScenario, public ::testing::WithParamInterface<GatewayCase> {
protected:
    GatewayFaults()
        : GatewayScenario(GetParam().name, GetParam().kind == Kind::no_policy ? fixtures::profiles::opa_bundle() : fixtures::profiles::opa()) {}

    fixtures::Fault& make_case_fault() {
        const auto& c = GetParam();
        switch (c.kind) {
            case Kind::pause: return make_fault<fixtures::ContainerPause>(stack().service("opa"));
            case Kind::stop: return make_fault<fixtures::ContainerStop>(stack().service("opa"));
            case Kind::no_policy: {
                std::vector<std::unique_ptr<fixtures::Fault>> parts;
                parts.push_back(std::make_unique<fixtures::ContainerStop>(stack().service("opa-bundles")));
                parts.push_back(std::make_unique<fixtures::ContainerRestart>(stack().service("opa-bundled")));
                return make_fault<fixtures::CompoundFault>(std::move(parts));
            }
            case Kind::partition:
                return make_fault<fixtures::IptablesPartition>(stack().service("policy-gateway"), std::vector<int>{8181}, fixtures::FaultOptions{},
                                                               fixtures::PartitionMode{.side = fixtures::PartitionMode::Side::calls});
        }
        throw std::logic_error("unknown case kind");
    }

    // Took effect, judged on the fault, never on the gateway under test: paused / exited and OPA's own probes
    // failing; for the partition, the rules present and dropping the gateway's packets to OPA (it re-probes OPA
    // every 500 ms, so the counters move within a second).
    Observation took_effect(fixtures::Fault& fault) {
        std::string evidence;
        const bool in_place = fault.verify_injected(evidence);
        if (GetParam().kind == Kind::no_policy) {
            // OPA up again (restarted) but without the policy: its answer for alice has no result.
            const auto direct = probes::http_post(opa_url_ + "/v1/data/sea/authz/allow", R"({"input":{"subject":"alice","action":"read","resource":"events"}})",
                                                  "application/json", 1s);
            const bool undefined = direct.ok() && direct.body.find("\"result\"") == std::string::npos;
            return Observation(in_place && undefined, fmt::format("{}; OPA answers {} {}", evidence, direct.status, direct.body.substr(0, 60)));
        }
        if (GetParam().kind == Kind::partition) {
            const auto dropped = dynamic_cast<fixtures::IptablesPartition&>(fault).dropped_packets();
            return Observation(in_place && dropped > 0, fmt::format("{}; {} packets dropped", evidence, dropped));
        }
        const auto down = check::seen(check::during(opa_probes(), fault_in_place()), "OPA down", [](const Op<HttpAnswer>& op) { return !op.ok(); });
        return Observation(in_place && down.valid(), fmt::format("{}; {}", evidence, down.evidence));
    }

    // Where the gateway could not have a decision from OPA: OPA seen down by the direct probes, or, for the
    // partition (OPA stays up), the time the rules were in place.
    std::optional<fixtures::Window> outage() const {
        switch (GetParam().kind) {
            case Kind::partition: return fault_in_place();
            case Kind::no_policy: {
                auto w = fault_in_place();
                if (w) w->from = std::min(w->to, w->from + 2s);  // past the gateway's 1.5 s grace for a restarting OPA
                return w;
            }
            default: return opa_down_window();
        }
    }
};

TEST_P(GatewayFaults, Holds) {
    record_gateway(4);
    auto& fault = make_case_fault();
    ASSERT_TRUE(inject(fault, 10s, [&] { return took_effect(fault); }));
    hold(GetParam().hold);
    heal();

    // (c) OPA answers < 1 s after unpause/start (its policy is on disk) and the gateway asks OPA on every request:
    // 60 s is the suite's shortest deadline and still hides no gateway that never recovers.
    invariant_eventually("c decisions-return", 60s, [&] { return decisions_correct(); });
    // (d) the gateway re-probes OPA every 500 ms: ready within a second of (c); 60 s as for (c).
    invariant_eventually("d readiness-follows-opa", 60s, [&] { return readiness_followed(outage(), GetParam().kind == Kind::no_policy); });
    recovered();
    stop_recording();

    invariant("a never-allow-while-opa-down", fails_closed(outage(), kMinOutageOps));
    invariant("b liveness-stays-up", check::all_ok(liveness()));
}

// 10 s: long enough for >= 50 answers at the gateway's 500 ms timeout over 4 loops and 20 of its OPA re-probes;
// no policy for 10 s: 160 readiness probes and >= 50 answers in the window; the stop is held 30 s: a long outage (60 failed re-probes), inside the 60-180 s deadlines' reach.
INSTANTIATE_TEST_SUITE_P(Matrix, GatewayFaults,
                         ::testing::Values(GatewayCase{"opa_pause", Kind::pause, 10s}, GatewayCase{"opa_partition", Kind::partition, 10s},
                                           GatewayCase{"opa_stop", Kind::stop, 30s}, GatewayCase{"opa_no_policy", Kind::no_policy, 10s}),
                         matrix_case_name{});

}  // namespace
}  // namespace sea::chaos

// Fault matrix mesh_faults (profile nats-mesh): the mesh invariants (mesh_scenario.hpp: (a) publishes-acked-during-
// partition / publishes-acked-again, (b) mirror-exactly-once, (c) link-up-again) under the faults other than the
// seed's 5 s DROP of the leafnode link (nats_partition_mesh_test.cpp). One value-parameterised case per fault, each
// its own ctest test, labelled with its scenario name (tests/chaos/scenarios.txt). Probes publish through
// sea-nats-a-1's client port (domain sea-a) every 50 ms; the mirror lives in sea-b, across the link.
//
//  case            fault (held from the injection)               what it drives                       (a) judged as
//  mesh_drop_long  DROP tcp/7522 in sea-nats-a-1's netns, both   the leaf's redials stall (SYNs       acked-during-partition:
//                  directions (the seed's edge), 60 s            vanish); 1,200 publishes the mirror  the publish path does
//                                                                cannot copy; the mirror's retry      not cross the link
//                                                                backoff grows over 60 s; messages
//                                                                older than 30 s when it copies them
//  mesh_reject     the same edge, REJECT --reject-with           the link is reset at once, every     acked-during-partition
//                  tcp-reset, 10 s                               redial refused fast (no stall)
//  mesh_hub_kill   SIGKILL of sea-nats-a-1's PID 1 from the host a crash of the hub: the link's only   acked-again: the probes'
//                  (no restart policy: exit 137), dead 10 s,     end in A and the probes' node go     node is dead, publishes
//                  heal = docker start                           away; an R3 source loses a peer      to it fail (nothing to
//                                                                (maybe its leader) mid-publish       promise); acked again
//                                                                                                     after the heal, and
//                                                                                                     every acked one durable
//                                                                                                     and mirrored once = (b)
// Every case is seen to take effect before it is held: the partitions as in the seed (rules in place and counting
// packets — dropped or rejected — and the mirror ≥ 10 behind the source while publishes are acked); the kill by
// the container having exited 137 with another PID; then, for all, b-1 reporting no leaf connection.
#include "matrix_case.hpp"
#include "mesh_scenario.hpp"

#include <fmt/format.h>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;

enum class Kind { drop, reject, kill };

struct MeshCase {
    const char* name;  // the scenario name (scenarios.txt, ctest label)
    Kind kind;
    std::chrono::seconds hold;  // from the end of the injection
};

// Names in the gtest output and ctest: Matrix/MeshFaults.Holds/<name>.
using matrix_case::PrintTo;  // GetParam() prints as the case's name (matrix_case.hpp)

class MeshFaults : public MeshScenario, public ::testing::WithParamInterface<MeshCase> {
protected:
    MeshFaults() : MeshScenario(GetParam().name) {}

    fixtures::Fault& make_case_fault() {
        switch (GetParam().kind) {
            case Kind::drop: return make_fault<fixtures::IptablesPartition>(stack().service(kHub), std::vector<int>{kLeafPort});
            case Kind::reject:
                return make_fault<fixtures::IptablesPartition>(stack().service(kHub), std::vector<int>{kLeafPort}, fixtures::FaultOptions{},
                                                               fixtures::PartitionMode{.action = fixtures::PartitionMode::Action::reject});
            case Kind::kill: return make_fault<fixtures::ContainerKill>(stack().service(kHub));
        }
        throw std::logic_error("unknown case kind");
    }

    // Judged on the fault and the mirror, never on the publishes (a) judges.
    Observation took_effect(fixtures::Fault& fault, std::size_t acked_before) {
        if (GetParam().kind != Kind::kill) return partition_effective(dynamic_cast<fixtures::IptablesPartition&>(fault), acked_before);
        std::string evidence;
        const bool killed = fault.verify_injected(evidence);
        const auto down = link_down();
        return Observation(killed && down.met, fmt::format("{}; {}", evidence, down.observed));
    }
};

TEST_P(MeshFaults, Holds) {
    const auto& c = GetParam();
    auto& publishes = record_publishes();
    auto& fault = make_case_fault();
    const auto acked_before = acked_count(publishes.ops());
    // 15 s: the rules count packets within a ping interval (2 s) and the mirror falls 10 behind in 0.5 s; a killed
    // node's sockets are closed by the kernel, so b-1 drops its leaf connection at once.
    ASSERT_TRUE(inject(fault, 15s, [&] { return took_effect(fault, acked_before); }));
    // The link seen down from b-1 (a DROP: after ping_interval 2 s × ping_max 2, 4–6 s; a reset or a kill: at
    // once); 30 s bounds it. The hold counts from the injection, not from here: the cut starts with the rules
    // (the mirror copies nothing from then on), /leafz only reports it later.
    const auto down = fixtures::eventually("leafnode link reported down by b-1", fixtures::Deadline::in(30s), [&] { return link_down(); });
    if (!down.met) {
        heal();
        return fail("fault-not-effective", "FAULT NOT EFFECTIVE: " + down.failure_message());
    }
    hold(c.hold);
    heal();
    judge(c.kind == Kind::kill ? Acks::again_after_heal : Acks::during_fault);
}

// Holds, from the injection: 60 s of DROP is 12× the seed's ≥ 5 s: twice a 30 s max_age, so a source that expires
// messages by age discards ones the mirror never copied (tests/mutants: streams-short-max-age; the seed's partition
// does not reach it), the leaf's redials stall for a minute and the mirror's retry wait (5 s, growing) has grown
// several times over when the link returns (measured: (b) met 49 s after the heal, the seed's 0.1–0.5 s). REJECT 10 s: ten of the leaf's 1 s redials refused by a reset and the
// mirror's first 5 s retry failing fast, 200 publishes to catch up. The hub dead 10 s: its peers elect new leaders
// (JetStream's election timeout is a few seconds) and B's leaf redials fail for 10 s before a-1 starts again.
INSTANTIATE_TEST_SUITE_P(Matrix, MeshFaults,
                         ::testing::Values(MeshCase{"mesh_drop_long", Kind::drop, 60s}, MeshCase{"mesh_reject", Kind::reject, 10s},
                                           MeshCase{"mesh_hub_kill", Kind::kill, 10s}),
                         matrix_case_name{});

}  // namespace
}  // namespace sea::chaos

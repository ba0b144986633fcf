// Scenario nats_partition_mesh (infra/docker/docker-compose.mesh.yml): two 3-node JetStream clusters, domain
// sea-a (hub) and sea-b, joined by a single-homed leafnode link on sea-nats-a-1:7522. The fault DROPs TCP on
// port 7522 inside sea-nats-a-1's network namespace (both directions), cutting the link, while sequence-numbered
// probe messages are published to sea.event.chaos_probe.v1 through domain A (the seed's fault; the same
// invariants under longer and other faults: mesh_faults_test.cpp).
//
// Invariants (stated once in mesh_scenario.hpp)
//  (a) publishes-acked-during-partition: every probe publish during the partition is acknowledged;
//  (b) mirror-exactly-once: after heal, SEA_EVENTS_MIRROR in domain B holds every acknowledged message exactly
//      once (compared by Nats-Msg-Id, not by counts);
//  (c) link-up-again: the monitor endpoints report the leafnode link up again (b-1 connected to a-1).
// The mirror's lag field is not reliable during a partition (it stays 0), so the fault is verified by the
// mirror's last sequence falling behind the source's while publishes are still acked.
#include "mesh_scenario.hpp"

#include <fmt/format.h>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;

class NatsPartitionMesh : public MeshScenario {
protected:
    NatsPartitionMesh() : MeshScenario("nats_partition_mesh") {}
};

TEST_F(NatsPartitionMesh, AckedMessagesReachMirrorExactlyOnce) {
    auto& publishes = record_publishes();

    auto& partition = make_fault<fixtures::IptablesPartition>(stack().service(kHub), std::vector<int>{kLeafPort});
    const auto acked_before = acked_count(publishes.ops());
    ASSERT_TRUE(inject(partition, 15s, [&] { return partition_effective(partition, acked_before); }));
    // Hold the partition until the monitor endpoints report the link down (ping_interval 2 s, ping_max 2: 4–6 s) and
    // for at least 5 s (≥ 100 publishes at 20/s): a fixed minimum, so every run drives the mirror's catch-up path
    // over the same gap, not a shorter one when the link happens to be seen down early. 30 s bounds it.
    const auto hold_from = fixtures::Clock::now();
    const auto link_down = fixtures::eventually("leafnode link reported down, partition held ≥ 5 s", fixtures::Deadline::in(30s), [&] {
        const auto up = link_up();
        const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(fixtures::Clock::now() - hold_from);
        return Observation(!up.valid() && held >= 5s, fmt::format("{}; held {} ms", up.evidence, held.count()));
    });
    heal();
    if (!link_down.met) return fail("fault-not-effective", "FAULT NOT EFFECTIVE: " + link_down.failure_message());

    // (c) link-up-again within 60 s, (a) over the publishes sent during the partition, (b) within 180 s (the
    // deadlines and their reasons: MeshScenario::judge).
    judge(Acks::during_fault);
}

}  // namespace
}  // namespace sea::chaos

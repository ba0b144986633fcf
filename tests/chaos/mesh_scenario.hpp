// MeshScenario: the NATS mesh's invariant set (infra/docker/docker-compose.mesh.yml: two 3-node JetStream clusters,
// domain sea-a (hub) and sea-b, joined by a single-homed leafnode link on sea-nats-a-1:7522; the source stream in
// sea-a, its mirror in sea-b), stated once, for every fault that can break it (the seed's nats_partition_mesh and
// the mesh_faults matrix). A scenario records probe publishes to sea.event.chaos_probe.v1 through domain A with
// record_publishes(), injects its fault, heals, then judge().
//
// Invariants (letters: the ids of the mutant table and SEA_STOP_AT_VIOLATION)
//  (a) publishes-acked-during-partition: every probe publish sent during the fault is acknowledged (a fault that
//      cuts only the link: the publish path does not cross it) — or, for a fault that takes down the node the
//      probes publish through (sea-nats-a-1's client port), publishes-acked-again: after the heal the publishes are
//      acknowledged again (>= kMinAckedAgain in a row at the end of the history);
//  (b) mirror-exactly-once: after heal, SEA_EVENTS_MIRROR in domain B holds every acknowledged message (and the
//      steady-state message) exactly once (compared by Nats-Msg-Id, not by counts); final when a duplicate is in
//      the mirror or an acked message is missing from it while the source no longer holds it;
//  (c) link-up-again: the monitor endpoints report the leafnode link up again (b-1 connected to a-1).
// The mirror's lag field is not reliable during a partition (it stays 0), so a partition is verified by the
// mirror's last sequence falling behind the source's while publishes are still acked (partition_effective()).
#pragma once

#include "mesh_checks.hpp"
#include "mesh_streams.hpp"

#include "sea/fixtures/scenario.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sea::chaos {

class MeshScenario : public fixtures::ScenarioTest {
protected:
    explicit MeshScenario(std::string name);

    static constexpr const char* kSubject = "sea.event.chaos_probe.v1";
    static constexpr const char* kHub = "sea-nats-a-1";  // the hub node: the link's only end in cluster A
    static constexpr int kLeafPort = 7522;
    static constexpr std::size_t kMinAckedAgain = 20;  // 1 s of publishing at 20/s

    // The streams created and holding the streams file's configuration, the link up, a steady-state message in
    // the mirror.
    void check_steady_state() override;

    // Probe publishes through domain A (sea-nats-a-1's client port) every 50 ms, ids chaos-probe-<run>-<n>.
    fixtures::History<Publish>& record_publishes();
    [[nodiscard]] std::vector<fixtures::Op<Publish>> publishes() const { return publishes_->ops(); }

    // (c) b-1 reports a leaf connection to a-1, and a-1 reports at least one leaf connection.
    [[nodiscard]] check::Verdict link_up() const { return leaf_link_up(monitor_a_, monitor_b_); }
    // The link seen down from the side that dials it: b-1 answers /leafz and lists no leaf connection (stricter
    // than !link_up(), which a-1's monitor port being unreachable, e.g. a-1 dead, makes true by itself).
    [[nodiscard]] fixtures::Observation link_down() const;

    // The mirror's message ids with their counts, and the last sequence that read covered.
    [[nodiscard]] MirrorContent mirror_content() const;
    // (b) Jepsen's set-full over the publish history: every acked publish (and the steady-state message) once in the mirror.
    [[nodiscard]] check::Verdict mirror_exactly_once() const;
    // (a) for a fault that takes down the node the probes publish through.
    [[nodiscard]] check::Verdict publishes_acked_again() const;

    // The partition of the link took effect: its rules in place and counting packets (dropped or rejected), and the
    // mirror ≥ 10 messages (0.5 s of publishing) behind the source while ≥ 10 more publishes were acked. A platform
    // whose publish path crosses the link shows the cut as failing publishes instead ((a) judges that).
    fixtures::Observation partition_effective(fixtures::IptablesPartition& partition, std::size_t acked_before) const;

    // After heal(): (c), then (a) as the fault can promise it, then (b), then recovered().
    enum class Acks { during_fault, again_after_heal };
    void judge(Acks promise);

private:
    [[nodiscard]] const probes::JetStreamClient& client_for(const std::string& domain) const { return domain == domain_a_ ? *js_a_ : *js_b_; }

    const std::string url_a_;      // SEA_MESH_A_PORT
    const std::string url_b_;      // SEA_MESH_B_PORT
    const std::string domain_a_;   // CHAOS_DOMAIN_A
    const std::string domain_b_;   // CHAOS_DOMAIN_B
    const std::string monitor_a_;  // SEA_MESH_A1_MONITOR_PORT
    const std::string monitor_b_;  // SEA_MESH_B1_MONITOR_PORT
    const MeshStreams streams_;
    std::string steady_id_;
    std::optional<probes::JetStreamClient> js_a_, js_b_;
    fixtures::History<Publish>* publishes_ = nullptr;
};

}  // namespace sea::chaos

// What nats_partition_mesh records and judges: probe publishes through domain A and the leafnode link's state.
#pragma once

#include "sea/fixtures/check.hpp"
#include "sea/fixtures/history.hpp"
#include "sea/probes/jetstream_probe.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sea::chaos {

// One probe publish through domain A, as the History records it (ok = acknowledged by JetStream).
struct Publish {
    std::string msg_id;
    probes::PublishResult result;
    [[nodiscard]] fixtures::Outcome outcome() const { return result.acked ? fixtures::Outcome::ok : fixtures::Outcome::fail; }
    [[nodiscard]] std::string describe() const;
};

// A JetStream client of one domain that rides out the partition and the heal on one connection (reconnects
// forever). Throws std::runtime_error naming the URL and domain when the first connect fails.
probes::JetStreamClient connect_domain(const std::string& url, const std::string& domain);

std::size_t acked_count(const std::vector<fixtures::Op<Publish>>& ops);

// The mirror's content as one read saw it: its message ids with their counts, and the last sequence that read
// covered (a mirror keeps its source's sequence numbers).
struct MirrorContent {
    std::map<std::string, int> ids;
    std::optional<std::uint64_t> last_seq;
};

// (b) Jepsen's set-full over the publish history (plus the steady-state message): every acked publish once in the
// mirror. Final when a duplicate is in the mirror, or an acked message is missing from it while it can no longer
// arrive: the source no longer holds it (its seq below `source_first_seq`), or the mirror has already copied past
// its seq (a mirror copies in sequence order and never goes back: a source that restarted empty numbers new
// messages below the mirror's position). A mirror copies only from its source, so polling on is pointless then.
check::Verdict exactly_once_in_mirror(const std::vector<fixtures::Op<Publish>>& publishes, const std::string& steady_id,
                                      const MirrorContent& mirror, std::optional<std::uint64_t> source_first_seq);

// The leafnode link is up: b-1 (monitor_b) reports a leaf connection and a-1 (monitor_a) at least one.
check::Verdict leaf_link_up(const std::string& monitor_a, const std::string& monitor_b);

}  // namespace sea::chaos

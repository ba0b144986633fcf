#include "mesh_checks.hpp"

#include "sea/probes/nats_probe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace sea::chaos {

using namespace std::chrono_literals;

std::string Publish::describe() const { return msg_id + ": " + (result.acked ? fmt::format("acked seq {}", result.seq) : result.error); }

probes::JetStreamClient connect_domain(const std::string& url, const std::string& domain) {
    probes::JetStreamClientOptions options;
    options.domain = domain;
    // Reconnects forever. A partition of the link never cuts this connection; a fault that kills the node it is
    // connected to (mesh_hub_kill) does.
    options.max_reconnect = -1;
    options.connection_name = "sea-chaos-" + domain;
    auto connected = probes::JetStreamClient::connect(url, 5s, options);
    if (!connected) throw std::runtime_error("connect " + url + " (domain " + domain + "): " + connected.error);
    return std::move(*connected.client);
}

std::size_t acked_count(const std::vector<fixtures::Op<Publish>>& ops) {
    return static_cast<std::size_t>(std::count_if(ops.begin(), ops.end(), [](const auto& op) { return op.ok(); }));
}

check::Verdict exactly_once_in_mirror(const std::vector<fixtures::Op<Publish>>& publishes, const std::string& steady_id,
                                      const MirrorContent& mirror, std::optional<std::uint64_t> source_first_seq) {
    std::set<std::string> attempted{steady_id}, acked{steady_id};
    std::uint64_t discarded = 0, passed_by_mirror = 0;
    for (const auto& op : publishes) {
        attempted.insert(op.value.msg_id);
        if (!op.ok()) continue;
        acked.insert(op.value.msg_id);
        if (mirror.ids.count(op.value.msg_id) != 0) continue;
        discarded += source_first_seq && op.value.result.seq < *source_first_seq;
        passed_by_mirror += mirror.last_seq && op.value.result.seq <= *mirror.last_seq;
    }
    auto v = check::exactly_once(attempted, acked, mirror.ids);
    v.counts["lost_and_discarded_at_source"] = discarded;
    v.counts["lost_and_passed_by_mirror"] = passed_by_mirror;
    v.final = v.invalid() && (discarded > 0 || passed_by_mirror > 0 || v.counts["duplicated"] > 0);
    return v;
}

check::Verdict leaf_link_up(const std::string& monitor_a, const std::string& monitor_b) {
    const auto a = probes::nats_monitor_json(monitor_a, "/leafz", 1s);
    const auto b = probes::nats_monitor_json(monitor_b, "/leafz", 1s);
    const auto count = [](const std::optional<nlohmann::json>& j) -> long {
        return j && j->contains("leafs") && (*j)["leafs"].is_array() ? static_cast<long>((*j)["leafs"].size()) : -1;
    };
    const long on_a = count(a), on_b = count(b);
    auto v = on_a >= 1 && on_b >= 1 ? check::valid("") : check::invalid("");
    v.measures = {{"leafs_a1", static_cast<double>(on_a)}, {"leafs_b1", static_cast<double>(on_b)}};
    v.evidence = fmt::format("leaf connections: a-1 {} b-1 {}", on_a, on_b);
    return v;
}

}  // namespace sea::chaos

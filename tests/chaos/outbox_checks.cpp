#include "outbox_checks.hpp"

#include "sea/probes/db_probe.hpp"
#include "sea/probes/http_probe.hpp"

#include <fmt/format.h>

namespace sea::chaos {

using namespace std::chrono_literals;

check::Verdict same_worker_ready(const fixtures::Container& worker, const fixtures::ContainerState& before, const std::string& worker_url) {
    const auto now = worker.state();
    const auto ready = probes::http_get(worker_url + "/readyz", 1s);
    const bool same_process = now.status == "running" && now.started_at == before.started_at && now.restart_count == before.restart_count;
    const auto evidence = fmt::format("worker {} started_at {} (before {}), restarts {} (before {}), readyz {}", now.status, now.started_at,
                                      before.started_at, now.restart_count, before.restart_count, ready.status);
    return same_process && ready.ok() ? check::valid(evidence) : check::invalid(evidence);
}

check::Verdict none_unpublished(const std::string& pg_conninfo) {
    const auto c = probes::count_outbox(pg_conninfo, 5s);
    if (!c.ok) return check::unknown("count_outbox: " + c.error);
    auto v = c.unpublished == 0 ? check::valid("") : check::invalid("");
    v.counts = {{"rows", static_cast<std::uint64_t>(c.total)}, {"published", static_cast<std::uint64_t>(c.published)},
                {"unpublished", static_cast<std::uint64_t>(c.unpublished)}};
    v.evidence = fmt::format("{} rows, {} published, {} unpublished", c.total, c.published, c.unpublished);
    return v;
}

std::optional<std::map<std::string, int>> stream_id_counts(const probes::JetStreamClient& js, const std::string& stream, std::string& error) {
    const auto info = js.stream_info(stream, 5s);
    if (!info.ok) {
        error = "stream info: " + info.error;
        return std::nullopt;
    }
    const auto read = js.read_ids(stream, info.first_seq, info.last_seq, 60s);
    if (!read.ok) {
        error = "read: " + read.error;
        return std::nullopt;
    }
    std::map<std::string, int> counts;
    for (const auto& m : read.messages) ++counts[m.msg_id];
    return counts;
}

}  // namespace sea::chaos

#include "outbox_checks.hpp"

#include "sea/probes/db_probe.hpp"
#include "sea/probes/http_probe.hpp"

#include <fmt/format.h>

namespace sea::chaos {

using namespace std::chrono_literals;

namespace {

// Every message of `stream` (first to last sequence, one read); nullopt (and `error`) when it cannot be read.
std::optional<std::vector<probes::StoredMessage>> read_whole_stream(const probes::JetStreamClient& js, const std::string& stream,
                                                                    std::string& error) {
    const auto info = js.stream_info(stream, 5s);
    if (!info.ok) {
        error = "stream info: " + info.error;
        return std::nullopt;
    }
    auto read = js.read_ids(stream, info.first_seq, info.last_seq, 60s);
    if (!read.ok) {
        error = "read: " + read.error;
        return std::nullopt;
    }
    return std::move(read.messages);
}

}  // namespace

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
    const auto messages = read_whole_stream(js, stream, error);
    if (!messages) return std::nullopt;
    std::map<std::string, int> counts;
    for (const auto& m : *messages) ++counts[m.msg_id];
    return counts;
}

check::Verdict marked_after_stored(const probes::JetStreamClient& js, const std::string& stream, const std::string& pg_conninfo) {
    std::string error;
    const auto messages = read_whole_stream(js, stream, error);
    if (!messages) return check::unknown(error);
    std::map<std::string, std::int64_t> stored_us;  // id -> first store, µs
    for (const auto& m : *messages) {
        const auto us = m.stored_unix_ns / 1000;
        auto [it, inserted] = stored_us.emplace(m.msg_id, us);
        if (!inserted) it->second = std::min(it->second, us);
    }
    const auto marks = probes::db_query(pg_conninfo,
                                        "SELECT id::text, (extract(epoch FROM published_at) * 1000000)::bigint FROM outbox_events "
                                        "WHERE published_at IS NOT NULL",
                                        30s);
    if (!marks.ok) return check::unknown("published_at: " + marks.error);
    std::uint64_t compared = 0, early = 0;
    std::vector<std::string> examples;
    std::int64_t worst_us = 0;
    for (const auto& row : marks.rows) {
        if (row.size() < 2 || !row[0] || !row[1]) continue;
        const auto it = stored_us.find(*row[0]);
        if (it == stored_us.end()) continue;  // not in the stream: (a)'s "lost", not this check's
        ++compared;
        const std::int64_t published = std::stoll(*row[1]);
        if (published >= it->second) continue;
        ++early;
        worst_us = std::max<std::int64_t>(worst_us, it->second - published);
        if (examples.size() < 5) examples.push_back(fmt::format("{} marked {} ms before JetStream stored it", *row[0], (it->second - published) / 1000.0));
    }
    const auto evidence = fmt::format("{} of {} marked rows were marked before JetStream stored them (worst {} ms early)", early, compared,
                                      worst_us / 1000.0);
    auto v = compared == 0 ? check::unknown("no marked row found in the stream to compare") : early > 0 ? check::invalid(evidence) : check::valid(evidence);
    v.counts = {{"compared", compared}, {"marked-early", early}};
    v.examples = examples;
    v.final = early > 0;
    return v;
}

}  // namespace sea::chaos

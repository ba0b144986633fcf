// OpenObserve search probe (see sea/probes/openobserve_probe.hpp for the contract and the API's sources).
#include "sea/probes/openobserve_probe.hpp"

#include "sea/probes/collector_probe.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace sea::probes {
namespace {

using Clock = std::chrono::steady_clock;

std::string base64(const std::string& in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
        out += {alphabet[(n >> 18) & 63], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63], alphabet[n & 63]};
    }
    if (const auto rest = in.size() - i; rest > 0) {
        const auto n = (static_cast<unsigned char>(in[i]) << 16) | (rest == 2 ? static_cast<unsigned char>(in[i + 1]) << 8 : 0);
        out += {alphabet[(n >> 18) & 63], alphabet[(n >> 12) & 63], rest == 2 ? alphabet[(n >> 6) & 63] : '=', '='};
    }
    return out;
}

// One line describing a non-200 answer: OpenObserve's {"code","message","error_detail"} when present.
std::string describe_failure(const HttpResult& r) {
    if (r.outcome != HttpOutcome::ok) return fmt::format("search request {}: {}", to_string(r.outcome), r.error);
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    std::string what = r.body.substr(0, 200);
    if (body.is_object() && body.contains("message") && body["message"].is_string()) {
        what = body["message"].get<std::string>();
        if (body.contains("code")) what = fmt::format("code {}: {}", body["code"].dump(), what);
        if (body.contains("error_detail") && body["error_detail"].is_string()) what += " (" + body["error_detail"].get<std::string>() + ")";
    }
    const char* hint = r.status == 401 || r.status == 403 ? " — check the OpenObserve user/password (SEA_OPENOBSERVE_USER/SEA_OPENOBSERVE_PASSWORD)" : "";
    return fmt::format("search answered HTTP {}: {}{}", r.status, what, hint);
}

}  // namespace

std::size_t SpanPresence::missing_of(const std::vector<std::string>& asked) const {
    return static_cast<std::size_t>(std::count_if(asked.begin(), asked.end(), [&](const auto& id) { return found.count(id) == 0; }));
}

std::int64_t to_unix_micros(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::string span_ids_sql(const std::string& stream, const std::vector<std::string>& span_ids) {
    std::string in;
    for (const auto& id : span_ids) in += fmt::format("{}'{}'", in.empty() ? "" : ",", id);
    return fmt::format("SELECT span_id FROM \"{}\" WHERE span_id IN ({})", stream, in);
}

std::string search_request_body(const std::string& sql, std::int64_t start_us, std::int64_t end_us, std::int64_t from, std::int64_t size) {
    return nlohmann::json{{"query", {{"sql", sql}, {"start_time", start_us}, {"end_time", end_us}, {"from", from}, {"size", size}}}}.dump();
}

SpanPresence spans_present(const OpenObserveTarget& target, const std::vector<std::string>& span_ids,
                           std::chrono::system_clock::time_point window_start, std::chrono::system_clock::time_point window_end,
                           std::chrono::milliseconds timeout, const SpanSearchOptions& options) {
    SpanPresence result;
    const auto fail = [&](std::string message) {
        result.ok = false;
        if (result.error.empty()) result.error = std::move(message);
        return result;
    };
    if (auto problem = validate_http_url(target.base_url); !problem.empty()) return fail("OpenObserve base URL: " + problem);
    if (target.org.empty() || target.stream.empty() || target.stream.find('"') != std::string::npos)
        return fail(fmt::format("OpenObserve org '{}' / stream '{}' must be non-empty (and the stream without '\"')", target.org, target.stream));
    if (options.ids_per_query == 0 || options.page_size <= 0 || options.max_pages == 0)
        return fail("SpanSearchOptions: ids_per_query, page_size and max_pages must be positive");
    for (const auto& id : span_ids) {
        if (!is_valid_span_id(id)) return fail(fmt::format("span id '{}' is not 16 lower-case hex digits (not asked)", id));
    }
    const auto start_us = to_unix_micros(window_start), end_us = to_unix_micros(window_end);
    if (start_us <= 0 || end_us < start_us)
        return fail(fmt::format("search window [{}, {}] µs is empty or before the epoch (OpenObserve needs both times > 0)", start_us, end_us));
    // OpenObserve filters _timestamp >= start_time AND _timestamp < end_time: include the end itself.
    const auto end_exclusive = end_us + 1;

    const auto deadline = Clock::now() + timeout;
    const std::string url = target.base_url + "/api/" + target.org + "/_search?type=traces";
    const HttpHeaders headers{{"Authorization", "Basic " + base64(target.user + ":" + target.password)}};
    for (std::size_t first = 0; first < span_ids.size(); first += options.ids_per_query) {
        const std::vector<std::string> chunk(span_ids.begin() + static_cast<std::ptrdiff_t>(first),
                                             span_ids.begin() + static_cast<std::ptrdiff_t>(std::min(span_ids.size(), first + options.ids_per_query)));
        const auto sql = span_ids_sql(target.stream, chunk);
        for (std::size_t page = 0;; ++page) {
            if (page == options.max_pages)
                return fail(fmt::format("more than {} pages of {} rows for {} span ids: the backend holds far more copies than a retry explains",
                                        options.max_pages, options.page_size, chunk.size()));
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return fail(fmt::format("timeout of {} ms spent after {} queries", timeout.count(), result.queries));
            const auto from = static_cast<std::int64_t>(page) * options.page_size;
            const auto r = http_post(url, search_request_body(sql, start_us, end_exclusive, from, options.page_size), "application/json", left, headers);
            ++result.queries;
            result.last_status = r.status;
            if (!r.ok()) return fail(describe_failure(r));
            const auto body = nlohmann::json::parse(r.body, nullptr, false);
            if (!body.is_object() || !body.contains("hits") || !body["hits"].is_array())
                return fail(fmt::format("search answer is not {{\"hits\":[...]}}: {}", r.body.substr(0, 200)));
            const auto& hits = body["hits"];
            for (const auto& hit : hits) {
                if (!hit.is_object() || !hit.contains("span_id") || !hit["span_id"].is_string())
                    return fail(fmt::format("search hit without a string span_id: {}", hit.dump().substr(0, 200)));
                const auto id = hit["span_id"].get<std::string>();
                if (std::find(chunk.begin(), chunk.end(), id) == chunk.end())
                    return fail(fmt::format("search returned span id '{}' that was not asked for", id));
                result.found.insert(id);
                ++result.rows;
            }
            if (static_cast<std::int64_t>(hits.size()) > options.page_size)
                return fail(fmt::format("search returned {} hits for size {}", hits.size(), options.page_size));
            if (static_cast<std::int64_t>(hits.size()) < options.page_size) break;
        }
    }
    result.ok = true;
    return result;
}

}  // namespace sea::probes

#include "detect_model.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace sea::bench {

std::optional<Recovery> find_recovery(const std::vector<CallOp>& ops, Clock::time_point after) {
    std::optional<Recovery> found;
    for (const auto& op : ops) {
        if (!found) {
            if (!op.ok() && op.answered >= after) found = Recovery{op.answered, op.answered, op.sent, {}};
            continue;
        }
        if (!op.ok()) {
            found->last_down = op.answered;
            found->last_down_sent = op.sent;
            continue;
        }
        found->first_up = op.answered;
        return found;
    }
    return std::nullopt;
}

ParsedEvents parse_docker_events(const std::string& json_lines) {
    ParsedEvents out;
    std::istringstream in(json_lines);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const auto doc = nlohmann::json::parse(line, nullptr, false);
        if (!doc.is_object()) {
            out.errors.push_back(fmt::format("line {}: not a JSON object: {}", number, line.substr(0, 80)));
            continue;
        }
        std::string action;
        if (doc.contains("Action") && doc["Action"].is_string()) action = doc["Action"];
        else if (doc.contains("status") && doc["status"].is_string()) action = doc["status"];
        std::optional<WallClock::time_point> at;
        if (doc.contains("timeNano") && doc["timeNano"].is_number_integer()) {
            at = WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
                std::chrono::nanoseconds(doc["timeNano"].get<long long>())));
        } else if (doc.contains("time") && doc["time"].is_number_integer()) {
            at = WallClock::time_point(std::chrono::seconds(doc["time"].get<long long>()));
        }
        if (action.empty() || !at) {
            out.errors.push_back(fmt::format("line {}: no Action/status or no timeNano/time: {}", number, line.substr(0, 80)));
            continue;
        }
        out.events.push_back(DockerEvent{action, *at});
    }
    return out;
}

std::optional<WallClock::time_point> first_event(const std::vector<DockerEvent>& events, const std::string& action,
                                                 WallClock::time_point after) {
    for (const auto& e : events) {
        if (e.action == action && e.at >= after) return e.at;
    }
    return std::nullopt;
}

std::chrono::milliseconds modelled_detect_lag(const fixtures::Backoff& backoff, std::chrono::milliseconds available,
                                              std::chrono::milliseconds probe_latency) {
    const auto latency = std::max(probe_latency, std::chrono::milliseconds(0));
    std::chrono::milliseconds attempt_start{0};
    for (int attempt = 1;; ++attempt) {
        const auto completes = attempt_start + latency;
        if (completes >= available) return completes - std::max(available, std::chrono::milliseconds(0));
        // delay_after never returns less than 0; a zero backoff still advances by the latency (>= 1 ms guard).
        attempt_start = completes + std::max(backoff.delay_after(attempt), latency.count() == 0 ? std::chrono::milliseconds(1)
                                                                                                  : std::chrono::milliseconds(0));
    }
}

std::string describe(const fixtures::Backoff& backoff) {
    return fmt::format("{} ms x{:g} cap {} ms", backoff.initial.count(), backoff.multiplier, backoff.max.count());
}

}  // namespace sea::bench

// Output of the benchmark: the human-readable tables (with how each figure is computed) and the JSON document.
// Pure formatting: no measurements, no I/O except the caller writing the returned strings.
#pragma once

#include "profiles.hpp"
#include "timeline_split.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sea::bench {

inline constexpr double kDetectGoalMs = 200.0;     // issue 8: time-to-detect recovery
inline constexpr double kOverheadGoalPercent = 25.0;  // issue 8: suite overhead share of wall time

struct SplitSection {
    std::vector<ScenarioSplit> splits;
    std::vector<std::string> problems;  // unreadable timelines, etc.
};

// Alternative poll schedules shown next to the default in the detection table (modelled, not run).
std::vector<fixtures::Backoff> alternative_backoffs();

std::string probe_table(const std::vector<ProfileResult>& profiles);
std::string detect_table(const std::vector<ProfileResult>& profiles);
std::string split_table(const SplitSection& section);

nlohmann::json to_json(const BenchConfig& config, const std::vector<ProfileResult>& profiles, const SplitSection& section);

}  // namespace sea::bench

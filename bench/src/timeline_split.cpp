#include "timeline_split.hpp"

#include <fstream>
#include <stdexcept>

namespace sea::bench {
namespace {

bool all_invariants_passed(const nlohmann::json& timeline) {
    if (!timeline.contains("invariants") || !timeline["invariants"].is_array() || timeline["invariants"].empty()) return false;
    for (const auto& inv : timeline["invariants"]) {
        if (!inv.is_object() || inv.value("verdict", "") != "pass") return false;
    }
    return true;
}

nlohmann::json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open");
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded()) throw std::runtime_error("not valid JSON");
    return doc;
}

}  // namespace

ScenarioSplit split_timeline(const nlohmann::json& timeline, std::optional<double> teardown_ms) {
    if (!timeline.is_object() || !timeline.contains("phases") || !timeline["phases"].is_array()) {
        throw std::invalid_argument("not a sea-chaos timeline: no \"phases\" array");
    }
    std::map<std::string, double> at;  // first occurrence of each phase
    for (const auto& phase : timeline["phases"]) {
        if (!phase.is_object() || !phase.contains("name") || !phase["name"].is_string() || !phase.contains("at_ms") ||
            !phase["at_ms"].is_number()) {
            throw std::invalid_argument("not a sea-chaos timeline: a phase without string \"name\" and number \"at_ms\": " + phase.dump());
        }
        at.emplace(phase["name"].get<std::string>(), phase["at_ms"].get<double>());
    }
    ScenarioSplit s;
    s.scenario = timeline.value("scenario", "");
    s.passed = all_invariants_passed(timeline);
    for (const char* needed : {"setup", "up", "steady", "inject", "fault-verified", "heal", "recovered", "teardown"}) {
        if (!at.count(needed)) s.missing_phases.emplace_back(needed);
    }
    s.complete = s.missing_phases.empty();
    // A segment needs both ends; a missing end leaves it 0 (the run stopped before it).
    const auto seg = [&](const char* from, const char* to) {
        const auto a = at.find(from), b = at.find(to);
        return (a == at.end() || b == at.end()) ? 0.0 : std::max(0.0, b->second - a->second);
    };
    s.bring_up = seg("setup", "up");
    s.steady = seg("up", "steady");
    s.prepare = seg("steady", "inject");
    s.inject = seg("inject", "fault-verified");
    s.fault_hold = seg("fault-verified", "heal");
    s.recovery = seg("heal", "recovered");
    s.verdicts = seg("recovered", "teardown");
    if (teardown_ms) {
        s.teardown = *teardown_ms;
        s.teardown_measured = true;
    }
    return s;
}

std::vector<TimelineFile> latest_timelines(const std::filesystem::path& repo_root, std::vector<std::string>& problems) {
    namespace fs = std::filesystem;
    std::map<std::string, TimelineFile> newest_pass, newest_any;
    const auto build = repo_root / "build";
    std::error_code ec;
    if (!fs::is_directory(build, ec)) return {};
    for (const auto& build_dir : fs::directory_iterator(build, ec)) {
        const auto artifacts = build_dir.path() / "chaos-artifacts";
        if (!fs::is_directory(artifacts, ec)) continue;
        for (const auto& test_dir : fs::directory_iterator(artifacts, ec)) {
            const auto file = test_dir.path() / "timeline.json";
            if (!fs::is_regular_file(file, ec)) continue;
            TimelineFile t{test_dir.path().filename().string(), file, fs::last_write_time(file, ec), false};
            try {
                t.passed = all_invariants_passed(read_json(file));
            } catch (const std::exception& e) {
                problems.push_back(file.string() + ": " + e.what());
                continue;
            }
            auto& any = newest_any[t.test];
            if (any.file.empty() || t.written > any.written) any = t;
            if (t.passed) {
                auto& pass = newest_pass[t.test];
                if (pass.file.empty() || t.written > pass.written) pass = t;
            }
        }
    }
    std::vector<TimelineFile> chosen;
    for (const auto& [test, any] : newest_any) {
        const auto it = newest_pass.find(test);
        chosen.push_back(it != newest_pass.end() ? it->second : any);
    }
    return chosen;
}

}  // namespace sea::bench

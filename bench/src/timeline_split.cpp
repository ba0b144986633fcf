#include "timeline_split.hpp"

#include "sea/fixtures/timeline.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace sea::bench {
namespace {

using fixtures::Phase;

std::optional<Phase> phase_named(const std::string& name) {
    for (const auto p : fixtures::kAllPhases) {
        if (fixtures::phase_name(p) == name) return p;
    }
    return std::nullopt;
}

// outcome.status; throws when absent.
std::string outcome_status(const nlohmann::json& timeline) {
    const auto it = timeline.find("outcome");
    if (it == timeline.end() || !it->is_object() || !it->contains("status") || !(*it)["status"].is_string()) {
        throw std::invalid_argument("timeline without a string \"outcome\".\"status\"");
    }
    return (*it)["status"].get<std::string>();
}

// A number field of the "fault" record; nullopt when absent or null.
std::optional<double> fault_ms(const nlohmann::json& fault, const char* field) {
    if (!fault.is_object() || !fault.contains(field) || fault[field].is_null()) return std::nullopt;
    if (!fault[field].is_number()) throw std::invalid_argument(std::string("timeline \"fault\".\"") + field + "\" is not a number or null");
    return fault[field].get<double>();
}

nlohmann::json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open");
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded()) throw std::runtime_error("not valid JSON");
    return doc;
}

}  // namespace

void require_timeline_schema(const nlohmann::json& timeline) {
    if (!timeline.is_object()) throw std::invalid_argument("not a sea-chaos timeline: not a JSON object");
    const auto it = timeline.find("schema_version");
    if (it == timeline.end() || !it->is_number_integer()) {
        throw std::invalid_argument("not a sea-chaos timeline of schema_version " + std::to_string(fixtures::kTimelineSchemaVersion) +
                                    ": no integer \"schema_version\" (written before schema 2: re-run the scenario with this build)");
    }
    if (const auto version = it->get<long long>(); version != fixtures::kTimelineSchemaVersion) {
        throw std::invalid_argument("timeline schema_version " + std::to_string(version) + ", this bench reads schema_version " +
                                    std::to_string(fixtures::kTimelineSchemaVersion) + ": re-run the scenario with this build");
    }
}

ScenarioSplit split_timeline(const nlohmann::json& timeline, std::optional<double> teardown_ms) {
    require_timeline_schema(timeline);
    if (!timeline.contains("segments_ms") || !timeline["segments_ms"].is_object()) {
        throw std::invalid_argument("not a sea-chaos timeline: no \"segments_ms\" object");
    }
    ScenarioSplit s;
    s.scenario = timeline.value("scenario", "");
    s.status = outcome_status(timeline);
    s.passed = s.status == "passed";
    for (const auto& [name, ms] : timeline["segments_ms"].items()) {
        const auto phase = phase_named(name);
        if (!phase) throw std::invalid_argument("timeline \"segments_ms\" names an unknown phase '" + name + "' (phases: fixtures/phases.hpp)");
        if (!ms.is_number() || ms.get<double>() < 0) {
            throw std::invalid_argument("timeline \"segments_ms\".\"" + name + "\" is not a non-negative number: " + ms.dump());
        }
        s.segments[*phase] = ms.get<double>();
    }
    for (const auto p : fixtures::kAllPhases) {
        if (!s.segments.count(p)) s.missing.emplace_back(fixtures::phase_name(p));
    }

    const auto fault = timeline.contains("fault") ? timeline["fault"] : nlohmann::json();
    if (!fault.is_null() && !fault.is_object()) throw std::invalid_argument("timeline \"fault\" is not an object");
    const auto inject_start = fault_ms(fault, "inject_start_ms");
    const auto verified = fault_ms(fault, "verified_ms");
    const auto ttr = fault_ms(fault, "time_to_recover_ms");
    if (s.segments.count(Phase::fault) && !verified) s.missing.emplace_back("fault.verified_ms");
    s.complete = s.missing.empty();

    // The fault phase: inject until the fault was seen to take effect, then the designed hold.
    const double fault_segment = s.segment(Phase::fault);
    s.inject = inject_start && verified ? std::clamp(*verified - *inject_start, 0.0, fault_segment) : fault_segment;
    s.fault_hold = fault_segment - s.inject;
    // After the heal: the recovery (only when it happened), then the verdicts until the timeline was written.
    const double after = s.segment(Phase::after_heal) + s.segment(Phase::recovered) + s.segment(Phase::teardown);
    s.recovery = ttr ? std::clamp(*ttr, 0.0, after) : 0.0;
    s.verdicts = after - s.recovery;
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
                const auto doc = read_json(file);
                require_timeline_schema(doc);
                t.passed = outcome_status(doc) == "passed";
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

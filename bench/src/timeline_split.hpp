// Part 3 of the benchmark: where a chaos scenario's wall time goes, from its timeline.json (schema_version 2,
// written by fixtures::Timeline; the document: tools/report/README.md).
//
// The split is the timeline's own "segments_ms" (how long each phase lasted, keyed by fixtures::phase_name(): the
// phase names live in fixtures/phases.hpp only; this file never spells one), with two phases split further by the
// timeline's "fault" record:
//   fault       = inject (fault.inject_start_ms -> fault.verified_ms: the fault command + waiting until it is seen
//                 to have taken effect) + hold (verified -> the heal began: the fault held as designed);
//                 without verified_ms (the fault never took effect) all of it is inject;
//   after-heal + recovered + teardown
//               = recovery (fault.time_to_recover_ms: healed -> every post-heal invariant held; 0 when the run did
//                 not recover, it has no time to recover) + verdicts (the rest: invariants judged after recovery,
//                 probe loops stopping, until the timeline was written).
// Every other phase is its own segment: setup, lock-wait (waiting for the machine-wide stack lock: other runs'
// time, shown apart from bring-up), up (bring-up: leftover sweep, preflight, compose up until ready), steady,
// prepare, heal (the heal command).
//   teardown (down) = not in the timeline (it is written as teardown starts): the bench's own measured `down` of
//                 the same compose profile when known, else 0 and flagged.
//   designed fault window = inject + hold + heal (from the fault command to the end of the heal command)
//   own wall = wall - lock-wait (the run's own time; lock-wait is time other runs held the stack)
//   suite overhead = own wall - designed fault window - recovery, as % of own wall (goal < 25 %)
// passed = outcome.status == "passed". complete = every phase of fixtures::kAllPhases was recorded and the fault
// was seen to take effect; `missing` names what is not (phase names, "fault.verified_ms").
#pragma once

#include "sea/fixtures/phases.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sea::bench {

struct ScenarioSplit {
    std::string test;        // "<Suite>.<Test>" (the artifact folder's name)
    std::string scenario;    // "opa_restart"
    std::filesystem::path file;
    std::string status;      // outcome.status: "passed", "failed", "skipped" or "unknown"
    bool passed = false;     // status == "passed"
    bool complete = false;   // every phase recorded and the fault verified
    std::vector<std::string> missing;
    std::map<fixtures::Phase, double> segments;  // "segments_ms" by phase; a phase not recorded is absent
    double inject = 0, fault_hold = 0;           // the fault segment, split at fault.verified_ms
    double recovery = 0, verdicts = 0;           // after-heal + recovered + teardown segments, split at time to recover
    double teardown = 0;
    bool teardown_measured = false;

    [[nodiscard]] double segment(fixtures::Phase p) const {
        const auto it = segments.find(p);
        return it == segments.end() ? 0.0 : it->second;
    }
    [[nodiscard]] double wall() const {
        double sum = teardown;
        for (const auto& [phase, ms] : segments) sum += ms;
        return sum;
    }
    [[nodiscard]] double lock_wait() const { return segment(fixtures::Phase::lock_wait); }
    [[nodiscard]] double own_wall() const { return wall() - lock_wait(); }
    [[nodiscard]] double fault_window() const { return inject + fault_hold + segment(fixtures::Phase::heal); }
    [[nodiscard]] double overhead() const { return own_wall() - fault_window() - recovery; }
    [[nodiscard]] double overhead_percent() const { return own_wall() > 0 ? 100.0 * overhead() / own_wall() : 0.0; }
};

// Throws std::invalid_argument naming the problem unless `timeline` is a JSON object with "schema_version": 2
// (fixtures::kTimelineSchemaVersion), e.g. "schema_version 1, this bench reads 2: re-run the scenario with this build".
void require_timeline_schema(const nlohmann::json& timeline);

// Splits one timeline document. teardown_ms: the measured teardown for this scenario's profile, if known.
// Throws std::invalid_argument naming the problem when the document is not a schema-2 timeline (see
// require_timeline_schema) or its "segments_ms" / "fault" / "outcome" are malformed (a segment that names no phase
// of fixtures/phases.hpp is malformed too).
ScenarioSplit split_timeline(const nlohmann::json& timeline, std::optional<double> teardown_ms);

struct TimelineFile {
    std::string test;
    std::filesystem::path file;
    std::filesystem::file_time_type written;
    bool passed = false;
};

// Every <repo>/build/*/chaos-artifacts/*/timeline.json. For each test the newest PASSING run (outcome.status) is
// chosen; when no run of a test passed, its newest run is chosen (ScenarioSplit::passed tells). Unreadable files
// and timelines of another schema version are reported in `problems` ("<path>: <why>") and skipped.
std::vector<TimelineFile> latest_timelines(const std::filesystem::path& repo_root, std::vector<std::string>& problems);

}  // namespace sea::bench

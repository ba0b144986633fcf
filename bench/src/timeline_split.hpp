// Part 3 of the benchmark: where a chaos scenario's wall time goes, from its timeline.json
// (fixtures::Timeline; phases are recorded when a step FINISHES, except "inject" and "teardown", which mark
// a start: setup(0) -> up -> steady -> inject -> fault-verified -> heal -> invariant ... -> recovered -> teardown).
//
// Segments (ms):
//   bring_up     = up - setup              lock wait, leftover sweep, preflight, compose up until healthy
//   steady       = steady - up             the steady-state invariants before any fault
//   prepare      = inject - steady         scenario body before the fault (probe loops, backlog, ...)
//   inject       = fault-verified - inject the fault command + waiting until it is seen to have taken effect
//   fault_hold   = heal - fault-verified   the fault held as designed, plus the heal command
//   recovery     = recovered - heal        the components' own recovery as the suite's probes saw it
//   verdicts     = teardown - recovered    invariants judged after recovery, stopping probe loops
//   teardown     = not in the timeline (it is written when teardown starts): taken from the bench's own
//                  measured `down` of the same compose profile when known, else 0 and flagged.
//   designed fault window = inject + fault_hold (from the fault command to heal)
//   suite overhead = wall - designed fault window - recovery, as % of wall (goal < 25 %)
// A timeline without some phase (a failed run) yields `complete = false`, missing segments are 0.
#pragma once

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
    bool passed = false;     // every recorded invariant verdict is "pass" and there is at least one
    bool complete = false;   // every phase needed for the split is present
    std::vector<std::string> missing_phases;
    double bring_up = 0, steady = 0, prepare = 0, inject = 0, fault_hold = 0, recovery = 0, verdicts = 0, teardown = 0;
    bool teardown_measured = false;
    [[nodiscard]] double wall() const { return bring_up + steady + prepare + inject + fault_hold + recovery + verdicts + teardown; }
    [[nodiscard]] double fault_window() const { return inject + fault_hold; }
    [[nodiscard]] double overhead() const { return wall() - fault_window() - recovery; }
    [[nodiscard]] double overhead_percent() const { return wall() > 0 ? 100.0 * overhead() / wall() : 0.0; }
};

// Splits one timeline document. teardown_ms: the measured teardown for this scenario's profile, if known.
// Throws std::invalid_argument naming the problem when the document is not a timeline (no "phases" array).
ScenarioSplit split_timeline(const nlohmann::json& timeline, std::optional<double> teardown_ms);

struct TimelineFile {
    std::string test;
    std::filesystem::path file;
    std::filesystem::file_time_type written;
    bool passed = false;
};

// Every <repo>/build/*/chaos-artifacts/*/timeline.json. For each test the newest PASSING run is chosen; when no
// run of a test passed, its newest run is chosen (ScenarioSplit::passed tells). Unreadable files are reported in
// `problems` ("<path>: <why>") and skipped.
std::vector<TimelineFile> latest_timelines(const std::filesystem::path& repo_root, std::vector<std::string>& problems);

}  // namespace sea::bench

#include "report.hpp"

#include "stats.hpp"

#include "sea/fixtures/phases.hpp"
#include "sea/fixtures/timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

namespace sea::bench {
namespace {

std::string opt_ms(const std::optional<double>& v) { return v ? fmt::format("{:.0f}", *v) : "-"; }
nlohmann::json opt_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

// Detection lag of one repetition: suite detect - first protocol answer.
std::optional<double> suite_lag(const DetectRep& r) {
    if (!r.suite_detect_ms || !r.first_answer_ms) return std::nullopt;
    return *r.suite_detect_ms - *r.first_answer_ms;
}

std::optional<double> modelled_lag(const DetectRep& r, const fixtures::Backoff& b) {
    if (!r.first_answer_ms) return std::nullopt;
    const auto available = std::chrono::milliseconds(static_cast<long long>(*r.first_answer_ms - r.restart_returned_ms));
    const auto latency = std::chrono::milliseconds(static_cast<long long>(r.suite_probe_latency_ms + 0.5));
    return static_cast<double>(modelled_detect_lag(b, available, latency).count());
}

std::vector<double> collect(const std::vector<DetectRep>& reps, const std::function<std::optional<double>(const DetectRep&)>& f) {
    std::vector<double> out;
    for (const auto& r : reps) {
        if (auto v = f(r)) out.push_back(*v);
    }
    return out;
}

std::string spread_text(const std::vector<double>& values) {
    const auto s = spread(values);
    return s.n == 0 ? "-" : fmt::format("{:.0f} / {:.0f} / {:.0f}", s.min, s.median, s.max);
}

nlohmann::json spread_json(const std::vector<double>& values) {
    const auto s = spread(values);
    return {{"n", s.n}, {"min", s.min}, {"median", s.median}, {"max", s.max}};
}

}  // namespace

std::vector<fixtures::Backoff> alternative_backoffs() {
    using std::chrono::milliseconds;
    return {fixtures::Backoff{}, fixtures::Backoff{milliseconds(10), 1.5, milliseconds(100)},
            fixtures::Backoff{milliseconds(20), 1.0, milliseconds(20)}};
}

std::string probe_table(const std::vector<ProfileResult>& profiles) {
    std::string out = "== 1. Probe latency and throughput (sequential calls; latency over successful calls; ops/s = calls / loop wall time)\n";
    out += fmt::format("{:<44} {:<8} {:>5} {:>5} {:>8} {:>8} {:>8} {:>8}\n", "probe", "via", "calls", "fail", "p50 ms", "p99 ms", "max ms", "ops/s");
    std::map<std::string, std::vector<const ProbeBenchResult*>> by_target;
    for (const auto& p : profiles) {
        for (const auto& r : p.probes) {
            const auto& s = r.summary;
            out += fmt::format("{:<44} {:<8} {:>5} {:>5} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.0f}{}\n", r.name, r.via, s.calls, s.failures, s.p50_ms,
                               s.p99_ms, s.max_ms, s.ops_per_s, r.stopped_by_time ? "  (stopped by the time bound)" : "");
            if (!s.first_error.empty()) out += fmt::format("    first failure: {}\n", s.first_error);
            by_target[r.compares].push_back(&r);
        }
    }
    for (const auto& [target, rows] : by_target) {
        const ProbeBenchResult* fastest_library = nullptr;
        for (const auto* r : rows) {
            if (r->via == "library" && r->summary.calls > r->summary.failures &&
                (!fastest_library || r->summary.p50_ms < fastest_library->summary.p50_ms)) fastest_library = r;
        }
        for (const auto* r : rows) {
            if (r->via == "cli" && fastest_library && fastest_library->summary.p50_ms > 0) {
                out += fmt::format("  {}: CLI p50 is {:.1f}x the library p50 ({:.2f} vs {:.2f} ms)\n", target,
                                   r->summary.p50_ms / fastest_library->summary.p50_ms, r->summary.p50_ms, fastest_library->summary.p50_ms);
            }
        }
    }
    return out;
}

std::string detect_table(const std::vector<ProfileResult>& profiles) {
    std::string out = fmt::format(
        "== 2. Time-to-detect recovery after `docker restart` (ms from the restart command; goal: suite detect - available < {:.0f} ms)\n"
        "   available = first successful answer of a 5 ms protocol poller after it saw the outage (res = time since the last failed\n"
        "   truth probe was sent: available lies within [available - res, available]);\n"
        "   suite = fixtures::eventually() with the default Backoff ({}), started when `docker restart` returned (as after inject());\n"
        "   loop = the scenario's own probe loop; start / healthy = docker events (healthcheck interval 1 s).\n",
        kDetectGoalMs, describe(fixtures::Backoff{}));
    for (const auto& p : profiles) {
        if (!p.detect) continue;
        const auto& d = *p.detect;
        out += fmt::format("-- {} ({}): truth = {}; suite = {}; loop = {}\n", d.spec.component, d.spec.container, d.spec.truth_what,
                           d.spec.suite_what, d.spec.loop_what);
        out += fmt::format("{:>3} {:>8} {:>7} {:>13} {:>8} {:>14} {:>9} {:>9} {:>9}\n", "rep", "returned", "start", "available(res)", "healthy",
                           "suite(attempts)", "suite-av", "suite-st", "loop-av");
        for (const auto& r : d.reps) {
            out += fmt::format("{:>3} {:>8.0f} {:>7} {:>13} {:>8} {:>14} {:>9} {:>9} {:>9}\n", r.index, r.restart_returned_ms,
                               opt_ms(r.start_event_ms),
                               r.first_answer_ms ? fmt::format("{:.0f}({:.0f})", *r.first_answer_ms, r.truth_resolution_ms.value_or(0)) : "-",
                               opt_ms(r.healthy_event_ms), r.suite_detect_ms ? fmt::format("{:.0f}({})", *r.suite_detect_ms, r.suite_attempts) : "-",
                               opt_ms(suite_lag(r)),
                               opt_ms(r.suite_detect_ms && r.start_event_ms ? std::optional(*r.suite_detect_ms - *r.start_event_ms) : std::nullopt),
                               opt_ms(r.loop_detect_ms && r.first_answer_ms ? std::optional(*r.loop_detect_ms - *r.first_answer_ms) : std::nullopt));
            if (!r.error.empty()) out += fmt::format("    rep {} error: {}\n", r.index, r.error);
        }
        const auto lags = collect(d.reps, suite_lag);
        const auto worst = spread(lags).max;
        out += fmt::format("   suite detect - available, min / median / max: {} ms -> {}\n", spread_text(lags),
                           lags.empty() ? "NO DATA" : worst < kDetectGoalMs ? "meets the < 200 ms goal" : "MISSES the < 200 ms goal");
        out += fmt::format("   healthy event - available: {} ms; loop - available: {} ms\n",
                           spread_text(collect(d.reps, [](const DetectRep& r) {
                               return r.healthy_event_ms && r.first_answer_ms ? std::optional(*r.healthy_event_ms - *r.first_answer_ms) : std::nullopt;
                           })),
                           spread_text(collect(d.reps, [](const DetectRep& r) {
                               return r.loop_detect_ms && r.first_answer_ms ? std::optional(*r.loop_detect_ms - *r.first_answer_ms) : std::nullopt;
                           })));
        out += "   modelled suite lag with other schedules (same restarts; attempts at the schedule's times, each taking the measured probe latency):\n";
        for (const auto& b : alternative_backoffs()) {
            out += fmt::format("     {:<28} {} ms\n", describe(b), spread_text(collect(d.reps, [&](const DetectRep& r) { return modelled_lag(r, b); })));
        }
    }
    return out;
}

namespace {

using fixtures::Phase;
using fixtures::phase_name;

// The split's columns, in the order of a run: phase segments (headed by their phase names) and the parts the
// fault and after-heal segments are split into (timeline_split.hpp). Their sum, plus down, is the wall.
struct SplitColumn {
    std::string head;
    std::function<double(const ScenarioSplit&)> ms;
};

std::string upper(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

std::vector<SplitColumn> split_columns() {
    const auto seg = [](Phase p) { return SplitColumn{std::string(phase_name(p)), [p](const ScenarioSplit& s) { return s.segment(p); }}; };
    return {seg(Phase::setup),
            seg(Phase::lock_wait),
            seg(Phase::up),
            seg(Phase::steady),
            seg(Phase::prepare),
            {"inject", [](const ScenarioSplit& s) { return s.inject; }},
            {"hold", [](const ScenarioSplit& s) { return s.fault_hold; }},
            seg(Phase::heal),
            {"recov", [](const ScenarioSplit& s) { return s.recovery; }},
            {"verdict", [](const ScenarioSplit& s) { return s.verdicts; }}};
}

}  // namespace

std::string split_table(const SplitSection& section) {
    std::string out = fmt::format(
        "== 3. Scenario wall-time split (s) from the newest passing timeline of each scenario (build/*/chaos-artifacts/*/timeline.json,\n"
        "   schema_version {}): each phase's segments_ms ({} = waiting for the machine-wide stack lock, i.e. other runs' time;\n"
        "   {} = sweep, preflight, compose up until ready); {} is split at fault.verified_ms into inject (command + proof it\n"
        "   took effect) and hold (the designed hold); {} = the heal command; {} + {} + {} is split into recov\n"
        "   (fault.time_to_recover_ms, 0 when it did not recover) and verdict (the rest, until the timeline was written);\n"
        "   down = not in the timeline (written as teardown starts): this bench's measured Stack::down of the same profile, '?' = unknown (0).\n"
        "   overhead = own wall (wall - {}) - (inject + hold + {}) - recov, as % of own wall; goal < {:.0f} %\n",
        fixtures::kTimelineSchemaVersion, phase_name(Phase::lock_wait), phase_name(Phase::up), phase_name(Phase::fault), phase_name(Phase::heal),
        phase_name(Phase::after_heal), phase_name(Phase::recovered), phase_name(Phase::teardown), phase_name(Phase::lock_wait), phase_name(Phase::heal), kOverheadGoalPercent);
    const auto columns = split_columns();
    out += fmt::format("{:<24} {:<7} {:>7}", "scenario", "run", "wall");
    for (const auto& c : columns) out += fmt::format(" {:>{}}", c.head, std::max<std::size_t>(6, c.head.size()));
    out += fmt::format(" {:>6} {:>9}\n", "down", "overhead");
    const auto s1 = [](double ms) { return fmt::format("{:.1f}", ms / 1000.0); };
    for (const auto& s : section.splits) {
        out += fmt::format("{:<24} {:<7} {:>7}", s.scenario.empty() ? s.test : s.scenario, s.passed ? "pass" : upper(s.status),
                           s1(s.wall()));
        for (const auto& c : columns) out += fmt::format(" {:>{}}", s1(c.ms(s)), std::max<std::size_t>(6, c.head.size()));
        out += fmt::format(" {:>6} {:>8.0f}%{}\n", s.teardown_measured ? s1(s.teardown) : "?", s.overhead_percent(),
                           s.overhead_percent() < kOverheadGoalPercent ? "" : " > goal");
        if (!s.complete) out += fmt::format("    incomplete timeline, missing: {}\n", fmt::join(s.missing, ", "));
    }
    if (section.splits.empty()) out += "   no timelines found: run `just chaos` first\n";
    for (const auto& p : section.problems) out += "   skipped " + p + "\n";
    return out;
}

nlohmann::json to_json(const BenchConfig& config, const std::vector<ProfileResult>& profiles, const SplitSection& section) {
    nlohmann::json doc;
    doc["config"] = {{"iterations", config.iterations}, {"cli_iterations", config.cli_iterations}, {"restarts", config.restarts},
                     {"probes", config.probes}, {"detect", config.detect}};
    doc["goals"] = {{"detect_lag_ms", kDetectGoalMs}, {"overhead_percent", kOverheadGoalPercent}};
    for (const auto& p : profiles) {
        nlohmann::json jp{{"profile", p.profile}, {"up_ms", opt_json(p.up_ms)}, {"down_ms", opt_json(p.down_ms)}, {"error", p.error}};
        for (const auto& r : p.probes) {
            const auto& s = r.summary;
            jp["probes"].push_back({{"name", r.name}, {"via", r.via}, {"compares", r.compares}, {"calls", s.calls}, {"failures", s.failures},
                                    {"p50_ms", s.p50_ms}, {"p99_ms", s.p99_ms}, {"max_ms", s.max_ms}, {"mean_ms", s.mean_ms},
                                    {"ops_per_s", s.ops_per_s}, {"wall_ms", s.wall_ms}, {"first_error", s.first_error},
                                    {"stopped_by_time", r.stopped_by_time}});
        }
        if (p.detect) {
            const auto& d = *p.detect;
            nlohmann::json jd{{"component", d.spec.component}, {"container", d.spec.container}, {"truth", d.spec.truth_what},
                              {"suite", d.spec.suite_what}, {"loop", d.spec.loop_what}};
            for (const auto& r : d.reps) {
                jd["reps"].push_back({{"rep", r.index}, {"restart_returned_ms", r.restart_returned_ms}, {"start_event_ms", opt_json(r.start_event_ms)},
                                      {"healthy_event_ms", opt_json(r.healthy_event_ms)}, {"available_ms", opt_json(r.first_answer_ms)},
                                      {"available_resolution_ms", opt_json(r.truth_resolution_ms)}, {"suite_detect_ms", opt_json(r.suite_detect_ms)},
                                      {"suite_attempts", r.suite_attempts}, {"suite_probe_latency_ms", r.suite_probe_latency_ms},
                                      {"loop_detect_ms", opt_json(r.loop_detect_ms)}, {"suite_lag_ms", opt_json(suite_lag(r))}, {"error", r.error}});
            }
            const auto lags = collect(d.reps, suite_lag);
            jd["suite_lag_ms"] = spread_json(lags);
            jd["meets_goal"] = !lags.empty() && spread(lags).max < kDetectGoalMs;
            for (const auto& b : alternative_backoffs()) {
                jd["modelled_lag_ms"][describe(b)] = spread_json(collect(d.reps, [&](const DetectRep& r) { return modelled_lag(r, b); }));
            }
            jp["detect"] = jd;
        }
        doc["profiles"].push_back(jp);
    }
    doc["scenario_split"] = nlohmann::json::array();
    for (const auto& s : section.splits) {
        nlohmann::json segments = nlohmann::json::object();  // the timeline's own segments_ms, by phase name
        for (const auto& [phase, ms] : s.segments) segments[std::string(phase_name(phase))] = ms;
        doc["scenario_split"].push_back({{"test", s.test}, {"scenario", s.scenario}, {"file", s.file.string()}, {"status", s.status},
                                         {"passed", s.passed}, {"complete", s.complete}, {"missing", s.missing}, {"segments_ms", segments},
                                         {"wall_ms", s.wall()}, {"lock_wait_ms", s.lock_wait()}, {"own_wall_ms", s.own_wall()},
                                         {"inject_ms", s.inject}, {"fault_hold_ms", s.fault_hold}, {"recovery_ms", s.recovery},
                                         {"verdicts_ms", s.verdicts}, {"teardown_ms", s.teardown}, {"teardown_measured", s.teardown_measured},
                                         {"fault_window_ms", s.fault_window()}, {"overhead_ms", s.overhead()},
                                         {"overhead_percent", s.overhead_percent()}});
    }
    doc["scenario_split_problems"] = section.problems;
    return doc;
}

}  // namespace sea::bench

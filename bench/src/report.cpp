#include "report.hpp"

#include "stats.hpp"

#include <fmt/format.h>

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

std::string split_table(const SplitSection& section) {
    std::string out = fmt::format(
        "== 3. Scenario wall-time split (s) from the newest passing timeline of each scenario (build/*/chaos-artifacts/*/timeline.json)\n"
        "   bring-up = up - setup (lock, sweep, preflight, compose up until healthy); steady = steady - up; prep = inject - steady;\n"
        "   inject = fault-verified - inject (command + proof it took effect); hold = heal - fault-verified (designed hold + heal command);\n"
        "   recov = recovered - heal (components' recovery as the probes saw it); verdict = teardown - recovered;\n"
        "   down = not in the timeline (written as teardown starts): this bench's measured Stack::down of the same profile, '?' = unknown (0).\n"
        "   overhead = wall - (inject + hold) - recov, as % of wall; goal < {:.0f} %\n",
        kOverheadGoalPercent);
    out += fmt::format("{:<24} {:<6} {:>7} {:>8} {:>7} {:>6} {:>7} {:>6} {:>6} {:>8} {:>6} {:>9}\n", "scenario", "run", "wall", "bring-up", "steady",
                       "prep", "inject", "hold", "recov", "verdict", "down", "overhead");
    const auto s1 = [](double ms) { return fmt::format("{:.1f}", ms / 1000.0); };
    for (const auto& s : section.splits) {
        out += fmt::format("{:<24} {:<6} {:>7} {:>8} {:>7} {:>6} {:>7} {:>6} {:>6} {:>8} {:>6} {:>8.0f}%{}\n", s.scenario.empty() ? s.test : s.scenario,
                           s.passed ? "pass" : "FAILED", s1(s.wall()), s1(s.bring_up), s1(s.steady), s1(s.prepare), s1(s.inject), s1(s.fault_hold),
                           s1(s.recovery), s1(s.verdicts), s.teardown_measured ? s1(s.teardown) : "?", s.overhead_percent(),
                           s.overhead_percent() < kOverheadGoalPercent ? "" : " > goal");
        if (!s.complete) out += fmt::format("    incomplete timeline, missing phases: {}\n", fmt::join(s.missing_phases, ", "));
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
        doc["scenario_split"].push_back({{"test", s.test}, {"scenario", s.scenario}, {"file", s.file.string()}, {"passed", s.passed},
                                         {"complete", s.complete}, {"missing_phases", s.missing_phases}, {"wall_ms", s.wall()},
                                         {"bring_up_ms", s.bring_up}, {"steady_ms", s.steady}, {"prepare_ms", s.prepare}, {"inject_ms", s.inject},
                                         {"fault_hold_ms", s.fault_hold}, {"recovery_ms", s.recovery}, {"verdicts_ms", s.verdicts},
                                         {"teardown_ms", s.teardown}, {"teardown_measured", s.teardown_measured},
                                         {"fault_window_ms", s.fault_window()}, {"overhead_ms", s.overhead()},
                                         {"overhead_percent", s.overhead_percent()}});
    }
    doc["scenario_split_problems"] = section.problems;
    return doc;
}

}  // namespace sea::bench

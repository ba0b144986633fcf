#include "detect_run.hpp"

#include "sea/fixtures/docker.hpp"
#include "sea/fixtures/log.hpp"
#include "sea/fixtures/probe_loop.hpp"

#include <fmt/format.h>

#include <memory>

namespace sea::bench {
namespace {

using namespace std::chrono_literals;

// One watcher: a bounded ProbeLoop that records every probe into `history` (one op: sent, answered, up or down).
std::unique_ptr<fixtures::ProbeLoop> watch(CallHistory& history, std::chrono::milliseconds interval, const std::function<bool()>& probe) {
    const fixtures::ProbeLoopLimits limits{.interval = interval,
                                           .max_iterations = static_cast<std::uint64_t>(120000 / std::max<long long>(1, interval.count())),
                                           .max_duration = 120s};
    return std::make_unique<fixtures::ProbeLoop>(history.name(), limits, [&history, probe](std::uint64_t) {
        const auto sent = Clock::now();
        const bool up = probe();
        history.add(sent, CallOutcome{up, up ? "" : "down"});
    });
}

std::string unix_seconds(WallClock::time_point t) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    return fmt::format("{}.{:09d}", ns / 1000000000, ns % 1000000000);
}

void run_one(const DetectSpec& spec, DetectRep& rep) {
    const auto ready = fixtures::eventually(spec.component + " stack ready before the restart", fixtures::Deadline::in(120s), spec.stack_ready);
    if (!ready.met) throw std::runtime_error(ready.failure_message());

    CallHistory truth_log(spec.component + " truth"), loop_log(spec.component + " scenario loop");
    auto truth_loop = watch(truth_log, spec.truth_interval, spec.truth);
    auto scenario_loop = watch(loop_log, spec.loop_interval, spec.loop_probe);
    const auto both_ok = fixtures::eventually("watchers answer ok before the restart", fixtures::Deadline::in(10s), [&] {
        const auto t = truth_log.ops();
        const auto l = loop_log.ops();
        const bool ok = !t.empty() && t.back().ok() && !l.empty() && l.back().ok();
        return fixtures::Observation(ok, fmt::format("truth {} ops, loop {} ops", t.size(), l.size()));
    });
    if (!both_ok.met) throw std::runtime_error(both_ok.failure_message());

    // Offsets are taken on the steady clock (the ops'), docker events on the wall clock; both read here, together.
    const auto issued_wall = WallClock::now();
    const auto issued = Clock::now();
    fixtures::Container(spec.container).restart(10s);
    const auto returned = Clock::now();
    rep.restart_returned_ms = ms_between(issued, returned);

    // As the scenarios do right after inject(): default Backoff, a generous deadline.
    std::chrono::steady_clock::duration last_attempt{};
    const auto detected = fixtures::eventually(spec.component + " answers again (suite probe)", fixtures::Deadline::in(60s), [&] {
        const auto start = std::chrono::steady_clock::now();
        auto observation = spec.suite_probe();
        last_attempt = std::chrono::steady_clock::now() - start;
        return observation;
    });
    const auto detected_at = Clock::now();
    rep.suite_attempts = detected.attempts;
    rep.suite_probe_latency_ms = static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(last_attempt).count()) / 1000.0;
    if (detected.met) rep.suite_detect_ms = ms_between(issued, detected_at);
    else rep.error = detected.failure_message();

    // Both watchers must have seen the outage and the return.
    const auto watched = fixtures::eventually("watchers saw the outage and the return", fixtures::Deadline::in(30s), [&] {
        const bool t = find_recovery(truth_log.ops(), issued).has_value();
        const bool l = find_recovery(loop_log.ops(), issued).has_value();
        return fixtures::Observation(t && l, fmt::format("truth recovered: {}, scenario loop recovered: {}", t, l));
    });
    truth_loop->stop();
    scenario_loop->stop();
    if (const auto r = find_recovery(truth_log.ops(), issued)) {
        rep.first_answer_ms = ms_between(issued, r->first_up);
        rep.truth_resolution_ms = ms_between(r->last_down_sent, r->first_up);
    }
    if (const auto r = find_recovery(loop_log.ops(), issued)) rep.loop_detect_ms = ms_between(issued, r->first_up);
    if (!watched.met && rep.error.empty()) rep.error = watched.failure_message();

    // The healthy event follows the next healthcheck (interval 1 s): wait for it before reading the events.
    const auto healthy = fixtures::eventually(spec.component + " stack ready after the restart", fixtures::Deadline::in(120s), spec.stack_ready);
    const auto events_out = fixtures::docker({"events", "--since", unix_seconds(issued_wall - 1s), "--until", unix_seconds(WallClock::now()),
                                              "--filter", "container=" + spec.container, "--filter", "type=container", "--format",
                                              "{{json .}}"},
                                             20s);
    if (!events_out.ok()) {
        if (rep.error.empty()) rep.error = "docker events: " + events_out.describe();
    } else {
        const auto parsed = parse_docker_events(events_out.out);
        if (const auto at = first_event(parsed.events, "start", issued_wall)) {
            rep.start_event_ms = ms_between(issued_wall, *at);
            if (const auto h = first_event(parsed.events, "health_status: healthy", *at)) rep.healthy_event_ms = ms_between(issued_wall, *h);
        }
        if (!rep.start_event_ms && rep.error.empty()) rep.error = "no start event in docker events output";
    }
    if (!healthy.met && rep.error.empty()) rep.error = healthy.failure_message();
}

}  // namespace

DetectReport run_restart_detection(const DetectSpec& spec) {
    DetectReport report{spec, {}};
    for (int i = 1; i <= spec.repetitions; ++i) {
        DetectRep rep;
        rep.index = i;
        try {
            run_one(spec, rep);
        } catch (const std::exception& e) {
            rep.error = e.what();
        }
        fixtures::log_line(fmt::format("bench: {} restart {}/{}: restart returned {:.0f} ms, available {} ms, suite detected {} ms{}",
                                       spec.component, i, spec.repetitions, rep.restart_returned_ms,
                                       rep.first_answer_ms ? fmt::format("{:.0f}", *rep.first_answer_ms) : "?",
                                       rep.suite_detect_ms ? fmt::format("{:.0f}", *rep.suite_detect_ms) : "?",
                                       rep.error.empty() ? "" : "; error: " + rep.error));
        report.reps.push_back(std::move(rep));
    }
    return report;
}

}  // namespace sea::bench

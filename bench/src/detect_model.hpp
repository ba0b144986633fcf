// Part 2 of the benchmark, pure half: turning a watcher's History (fixtures::History<CallOutcome>: one op per
// probe, steady clock) and docker events (wall clock) into "when was it available" and "when did the suite
// notice", and modelling what another poll schedule would have noticed.
// No I/O; everything here is unit-tested (bench/tests).
#pragma once

#include "call.hpp"

#include "sea/fixtures/eventually.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sea::bench {

using WallClock = std::chrono::system_clock;  // docker events carry wall-clock times
using fixtures::Clock;                         // History ops carry steady-clock times

struct Recovery {
    Clock::time_point first_down;  // answer time of the first failed op after `after`
    Clock::time_point last_down;   // answer time of the last failed op before first_up
    Clock::time_point last_down_sent;  // send time of that op: availability began after it (a slow, timed-out
                                       // probe blinds a sequential poller, so first_up - last_down_sent is its resolution)
    Clock::time_point first_up;    // answer time of the first ok op after first_down
};

// The ops of one watcher's History, in the order its loop took them. Finds the first op that is not ok answered at
// or after `after`, then the first ok op following it. nullopt when no failure was seen after `after`, or no
// success followed it.
std::optional<Recovery> find_recovery(const std::vector<CallOp>& ops, Clock::time_point after);

struct DockerEvent {
    std::string action;  // "start", "die", "health_status: healthy", ...
    WallClock::time_point at;
};

struct ParsedEvents {
    std::vector<DockerEvent> events;   // in input order
    std::vector<std::string> errors;   // "line 3: ..." for lines that are not a docker event JSON object
};

// Parses `docker events --format '{{json .}}'` output: one JSON object per line with "Action" (or "status") and
// "timeNano" (or "time", seconds). Blank lines are ignored.
ParsedEvents parse_docker_events(const std::string& json_lines);

// The first event with this action at or after `after`.
std::optional<WallClock::time_point> first_event(const std::vector<DockerEvent>& events, const std::string& action,
                                                 WallClock::time_point after);

// Model of fixtures::eventually(): attempts start at 0 (= when polling began), each takes `probe_latency`,
// and after attempt k it sleeps backoff.delay_after(k). An attempt succeeds when it completes at or after
// `available` (offset from the start of polling). Returns the completion offset of that attempt minus
// `available`, i.e. the detection lag this schedule would show. available <= 0 gives the latency itself.
// probe_latency must be >= 0 (negative values are treated as 0).
std::chrono::milliseconds modelled_detect_lag(const fixtures::Backoff& backoff, std::chrono::milliseconds available,
                                              std::chrono::milliseconds probe_latency);

// "50 ms x1.5 cap 1000 ms"
std::string describe(const fixtures::Backoff& backoff);

// Milliseconds from `from` to `to` (negative when `to` is earlier), with microsecond precision; either clock.
template <class C, class D>
double ms_between(std::chrono::time_point<C, D> from, std::chrono::time_point<C, D> to) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(to - from).count()) / 1000.0;
}

}  // namespace sea::bench

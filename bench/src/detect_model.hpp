// Part 2 of the benchmark, pure half: turning probe samples and docker events into "when was it available"
// and "when did the suite notice", and modelling what another poll schedule would have noticed.
// No I/O; everything here is unit-tested (bench/tests).
#pragma once

#include "sea/fixtures/eventually.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sea::bench {

using WallClock = std::chrono::system_clock;  // docker events carry wall-clock times, so this part uses them too

struct ProbeSample {
    WallClock::time_point sent, answered;
    bool ok = false;
};

struct Recovery {
    WallClock::time_point first_down;  // answer time of the first failed sample after `after`
    WallClock::time_point last_down;   // answer time of the last failed sample before first_up
    WallClock::time_point last_down_sent;  // send time of that sample: availability began after it (a slow, timed-out
                                           // probe blinds a sequential poller, so first_up - last_down_sent is its resolution)
    WallClock::time_point first_up;    // answer time of the first successful sample after first_down
};

// Samples in the order one loop took them. Finds the first failure answered at or after `after`, then the first
// success following it. nullopt when no failure was seen after `after`, or no success followed it.
std::optional<Recovery> find_recovery(const std::vector<ProbeSample>& samples, WallClock::time_point after);

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

// Milliseconds from `from` to `to` (negative when `to` is earlier), with microsecond precision.
double ms_between(WallClock::time_point from, WallClock::time_point to);

}  // namespace sea::bench

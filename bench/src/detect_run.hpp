// Part 2 of the benchmark, live half: time-to-detect recovery after `docker restart <container>`.
//
// One repetition:
//   1. waits until the stack is ready again (spec.stack_ready) and both watchers answer ok;
//   2. two watchers run on fixtures::ProbeLoop threads the whole time, each recording into a fixtures::History
//      (one op per probe): the "truth" poller (spec.truth every spec.truth_interval, 5 ms by default) and the
//      scenario's own probe loop (spec.loop_probe every spec.loop_interval);
//   3. issues `docker restart` (Container::restart) and, as the scenarios do after inject(), starts
//      fixtures::eventually(..., default Backoff) with spec.suite_probe as soon as the command returned;
//   4. available = first successful truth answer after the first failed one; detected = when eventually() met;
//      the docker `start` and `health_status: healthy` events come from `docker events --since/--until`.
// Every wait is deadline-bounded; a repetition that fails records its error and the run goes on.
// Offsets are milliseconds from the moment the restart command was issued.
#pragma once

#include "detect_model.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sea::bench {

struct DetectSpec {
    std::string component;   // "postgres"
    std::string container;   // "sea-postgres"
    std::string truth_what;  // what the truth poller does, for the report
    std::function<bool()> truth;
    std::chrono::milliseconds truth_interval{5};
    std::string suite_what;
    std::function<fixtures::Observation()> suite_probe;
    std::string loop_what;
    std::function<bool()> loop_probe;
    std::chrono::milliseconds loop_interval{20};
    std::function<fixtures::Observation()> stack_ready;  // every container of the stack running and healthy
    int repetitions = 5;
};

struct DetectRep {
    int index = 0;
    std::string error;  // "" when every figure below was obtained
    double restart_returned_ms = 0;
    std::optional<double> start_event_ms, healthy_event_ms;
    std::optional<double> first_answer_ms;       // truth: first successful protocol answer
    std::optional<double> truth_resolution_ms;   // first answer - send time of the last failed truth probe (its uncertainty)
    std::optional<double> suite_detect_ms;       // eventually() met
    int suite_attempts = 0;
    double suite_probe_latency_ms = 0;           // duration of eventually()'s successful attempt
    std::optional<double> loop_detect_ms;        // the scenario's probe loop saw it up again
};

struct DetectReport {
    DetectSpec spec;  // functions are not serialised
    std::vector<DetectRep> reps;
};

DetectReport run_restart_detection(const DetectSpec& spec);

}  // namespace sea::bench

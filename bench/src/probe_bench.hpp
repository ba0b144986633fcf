// Part 1 of the benchmark: latency and throughput of one probe, called sequentially.
//
// Contract: run_probe_bench calls `call` up to `iterations` times, one after another, and stops early when
// `max_duration` has elapsed (load loops are bounded in count and time). Each call is recorded as one op of a
// fixtures::History<CallOutcome> (sent = before the call, answered = after it: timed from outside, so library
// probes and CLI commands are measured the same way) and the summary is read from the History's ops. A call that
// reports failure counts in `failures` and not in the latency figures; the first failure's text is kept.
// A call that throws counts as a failure with the exception's text. iterations must be >= 1.
#pragma once

#include "call.hpp"
#include "stats.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace sea::bench {

struct ProbeBenchResult {
    std::string name;     // e.g. "libpq insert (reused DbConnection)"
    std::string via;      // "library" or "cli"
    std::string compares; // what it stands beside, e.g. "postgres insert"
    LatencySummary summary;
    bool stopped_by_time = false;
};

ProbeBenchResult run_probe_bench(std::string name, std::string via, std::string compares, int iterations,
                                 std::chrono::milliseconds max_duration, const std::function<CallOutcome()>& call);

}  // namespace sea::bench

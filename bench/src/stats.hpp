// Latency statistics for the benchmark: nearest-rank percentiles over successful calls, throughput over the
// loop's wall time, read from the ops of a fixtures::History. Pure functions, no I/O.
#pragma once

#include "sea/fixtures/history.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace sea::bench {

// Nearest-rank percentile (p in [0, 100]) of `values`, which need not be sorted. 0 for an empty vector.
// Throws std::invalid_argument when p is outside [0, 100].
double percentile(std::vector<double> values, double p);

struct LatencySummary {
    std::size_t calls = 0;      // attempts made
    std::size_t failures = 0;   // attempts whose observation failed (not in the latency figures)
    double p50_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
    double ops_per_s = 0;       // calls / wall time of the whole (sequential) loop
    double wall_ms = 0;
    std::string first_error;    // the first failure's message, "" when none
};

// latencies: one entry per SUCCESSFUL call; failures: count of failed calls; wall: the loop's total time.
LatencySummary summarize(const std::vector<std::chrono::microseconds>& latencies, std::size_t failures,
                         std::chrono::microseconds wall, std::string first_error = {});

// The same from a History's ops: an op's latency is answered - sent; ops whose outcome is not ok (fail or unknown)
// count as failures and not in the latency figures; first_error is the first such op's description.
template <class T>
LatencySummary summarize(const std::vector<fixtures::Op<T>>& ops, std::chrono::microseconds wall) {
    std::vector<std::chrono::microseconds> latencies;
    latencies.reserve(ops.size());
    std::size_t failures = 0;
    std::string first_error;
    for (const auto& op : ops) {
        if (op.ok()) {
            latencies.push_back(op.latency());
            continue;
        }
        if (failures++ == 0) first_error = op.detail;
    }
    return summarize(latencies, failures, wall, std::move(first_error));
}

// Min / median / max of a small sample (e.g. 5 restart repetitions). All zero for an empty vector.
struct Spread {
    std::size_t n = 0;
    double min = 0, median = 0, max = 0;
};
Spread spread(const std::vector<double>& values);

}  // namespace sea::bench

#include "probe_bench.hpp"

#include <stdexcept>
#include <vector>

namespace sea::bench {

ProbeBenchResult run_probe_bench(std::string name, std::string via, std::string compares, int iterations,
                                 std::chrono::milliseconds max_duration, const std::function<CallOutcome()>& call) {
    if (iterations < 1) throw std::invalid_argument("run_probe_bench(" + name + "): iterations must be >= 1, got " + std::to_string(iterations));
    using Clock = std::chrono::steady_clock;
    ProbeBenchResult result{std::move(name), std::move(via), std::move(compares), {}, false};
    std::vector<std::chrono::microseconds> latencies;
    latencies.reserve(static_cast<std::size_t>(iterations));
    std::size_t failures = 0;
    std::string first_error;
    const auto start = Clock::now();
    for (int i = 0; i < iterations; ++i) {
        if (Clock::now() - start >= max_duration) {
            result.stopped_by_time = true;
            break;
        }
        const auto before = Clock::now();
        CallOutcome outcome;
        try {
            outcome = call();
        } catch (const std::exception& e) {
            outcome = {false, std::string("exception: ") + e.what()};
        }
        const auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - before);
        if (outcome.ok) {
            latencies.push_back(took);
        } else {
            ++failures;
            if (first_error.empty()) first_error = outcome.error.empty() ? "failed (no message)" : outcome.error;
        }
    }
    const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    result.summary = summarize(latencies, failures, wall, std::move(first_error));
    return result;
}

}  // namespace sea::bench

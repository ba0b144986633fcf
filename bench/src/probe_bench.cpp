#include "probe_bench.hpp"

#include <stdexcept>

namespace sea::bench {

ProbeBenchResult run_probe_bench(std::string name, std::string via, std::string compares, int iterations,
                                 std::chrono::milliseconds max_duration, const std::function<CallOutcome()>& call) {
    if (iterations < 1) throw std::invalid_argument("run_probe_bench(" + name + "): iterations must be >= 1, got " + std::to_string(iterations));
    using fixtures::Clock;
    CallHistory history(name);
    ProbeBenchResult result{std::move(name), std::move(via), std::move(compares), {}, false};
    const auto start = Clock::now();
    for (int i = 0; i < iterations; ++i) {
        if (Clock::now() - start >= max_duration) {
            result.stopped_by_time = true;
            break;
        }
        const auto sent = Clock::now();
        CallOutcome outcome;
        try {
            outcome = call();
        } catch (const std::exception& e) {
            outcome = {false, std::string("exception: ") + e.what()};
        }
        history.add(sent, std::move(outcome));
    }
    const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    result.summary = summarize(history.ops(), wall);
    return result;
}

}  // namespace sea::bench

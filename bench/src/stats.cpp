#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace sea::bench {

double percentile(std::vector<double> values, double p) {
    if (!(p >= 0.0 && p <= 100.0)) throw std::invalid_argument("percentile: p must be in [0, 100], got " + std::to_string(p));
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    // Nearest rank: the smallest value with at least p % of the sample at or below it.
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

LatencySummary summarize(const std::vector<std::chrono::microseconds>& latencies, std::size_t failures,
                         std::chrono::microseconds wall, std::string first_error) {
    LatencySummary s;
    s.calls = latencies.size() + failures;
    s.failures = failures;
    s.first_error = std::move(first_error);
    s.wall_ms = static_cast<double>(wall.count()) / 1000.0;
    if (wall.count() > 0) s.ops_per_s = static_cast<double>(s.calls) * 1e6 / static_cast<double>(wall.count());
    if (latencies.empty()) return s;
    std::vector<double> ms;
    ms.reserve(latencies.size());
    for (const auto l : latencies) ms.push_back(static_cast<double>(l.count()) / 1000.0);
    s.p50_ms = percentile(ms, 50);
    s.p99_ms = percentile(ms, 99);
    s.max_ms = *std::max_element(ms.begin(), ms.end());
    s.mean_ms = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
    return s;
}

Spread spread(const std::vector<double>& values) {
    Spread s;
    s.n = values.size();
    if (values.empty()) return s;
    s.min = *std::min_element(values.begin(), values.end());
    s.max = *std::max_element(values.begin(), values.end());
    s.median = percentile(values, 50);
    return s;
}

}  // namespace sea::bench

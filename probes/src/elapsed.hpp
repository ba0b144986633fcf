// Internal timing helpers shared by the probes (not installed; include from probes/src only).
#pragma once

#include <chrono>

namespace sea::probes::detail {

using Clock = std::chrono::steady_clock;

// Time since `start`, for the latency every probe result carries.
inline std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

// Milliseconds left until `deadline` (0 once passed), for poll(2)-style waits.
inline int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace sea::probes::detail

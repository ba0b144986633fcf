// Deadline-checked polling for tests (instead of fixed sleeps).
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

namespace sea::testsupport {

// Calls condition() until it returns true or `timeout` has elapsed, sleeping `interval` between
// calls. The condition is always evaluated at least once and once more at the deadline.
// Returns whether it became true.
template <class Condition>
bool poll_until(std::chrono::milliseconds timeout, Condition&& condition,
                std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(interval, deadline - now));
  }
}

}  // namespace sea::testsupport

#pragma once
// MUTANT-only (compiled into policy-gateway-mutant-sticky-breaker, never into the production binary):
// a circuit breaker WITHOUT a half-open state. After kOpenAfterFailures consecutive OPA failures it
// opens, and since an open breaker never lets a trial call through, no success can ever close it again:
// the gateway denies with 503 until it is restarted.
#include <atomic>

namespace sea::gateway {

class StickyBreaker {
public:
    static constexpr int kOpenAfterFailures = 3;

    bool open() const { return open_.load(); }

    // Records the outcome of one OPA call made while the breaker was closed.
    void record(bool success) {
        if (success) {
            consecutiveFailures_.store(0);
            return;
        }
        if (consecutiveFailures_.fetch_add(1) + 1 >= kOpenAfterFailures) open_.store(true);  // BUG: never reset
    }

private:
    std::atomic<int> consecutiveFailures_{0};
    std::atomic<bool> open_{false};
};

}  // namespace sea::gateway

#pragma once
// Capped exponential backoff: initial, 2x initial, 4x ... up to max; reset() after a success.
#include <algorithm>
#include <chrono>

namespace sea::worker {

class Backoff {
public:
    Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max) : initial_(initial), max_(max), next_(initial) {}
    // The delay to wait now; doubles the following one (capped).
    std::chrono::milliseconds next() {
        const auto current = next_;
        next_ = std::min(max_, next_ * 2);
        return current;
    }
    void reset() { next_ = initial_; }

private:
    std::chrono::milliseconds initial_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds next_;
};

}  // namespace sea::worker

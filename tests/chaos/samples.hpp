// Samples<T>: a thread-safe, append-only record of what a probe loop observed, with the time of each
// observation relative to the scenario's start. Probe loops append; the test thread judges afterwards.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

namespace sea::chaos {

using Clock = std::chrono::steady_clock;

template <class T>
struct Timed {
    Clock::time_point sent;      // when the probe started
    Clock::time_point answered;  // when it returned
    T value;
};

template <class T>
class Samples {
public:
    void add(Clock::time_point sent, T value) {
        const auto now = Clock::now();
        std::lock_guard<std::mutex> lock(mutex_);
        items_.push_back(Timed<T>{sent, now, std::move(value)});
    }
    [[nodiscard]] std::vector<Timed<T>> snapshot() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return items_;
    }
    [[nodiscard]] std::size_t size() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return items_.size();
    }

private:
    mutable std::mutex mutex_;
    std::vector<Timed<T>> items_;
};

inline long long ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace sea::chaos

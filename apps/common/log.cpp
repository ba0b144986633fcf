#include "log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace sea::apps {

void logLine(std::string_view component, std::string_view message) {
    static std::mutex mutex;
    const auto now = std::chrono::system_clock::now();
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::lock_guard lock(mutex);
    std::fprintf(stdout, "%s.%03dZ %.*s %.*s\n", stamp, static_cast<int>(millis), static_cast<int>(component.size()),
                 component.data(), static_cast<int>(message.size()), message.data());
    std::fflush(stdout);
}

}  // namespace sea::apps

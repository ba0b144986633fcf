#pragma once
// One-line, timestamped log records on stdout (UTC ISO-8601 with milliseconds), flushed per line so
// a supervisor or test reading the stream sees every event immediately. Thread-safe.
#include <fmt/core.h>
#include <string_view>

namespace sea::apps {

// Writes "<timestamp> <component> <message>\n" to stdout atomically.
void logLine(std::string_view component, std::string_view message);

template <typename... Args>
void logf(std::string_view component, fmt::format_string<Args...> format, Args&&... args) {
    logLine(component, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace sea::apps

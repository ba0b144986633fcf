#include "env_parse.hpp"

#include <cerrno>
#include <cstdlib>
#include <fmt/core.h>

namespace sea::apps {

EnvLookup processEnv() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

EnvLookup mapEnv(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

std::string envOr(const EnvLookup& env, const std::string& name, const std::string& fallback) {
    auto value = env(name);
    return value ? *value : fallback;
}

long long parseIntInRange(const std::string& name, const std::string& text, long long min, long long max) {
    const auto fail = [&] {
        return ConfigError(fmt::format("{}: must be an integer in {}..{}, got \"{}\"", name, min, max, text));
    };
    if (text.empty() || text.size() > 19) throw fail();
    std::size_t start = (text[0] == '-' && min < 0) ? 1 : 0;
    if (start == text.size()) throw fail();
    for (std::size_t i = start; i < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') throw fail();
    }
    errno = 0;
    char* end = nullptr;
    const long long value = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end == nullptr || *end != '\0' || value < min || value > max) throw fail();
    return value;
}

long long envIntInRange(const EnvLookup& env, const std::string& name, long long fallback, long long min,
                        long long max) {
    auto value = env(name);
    if (!value) return fallback;
    return parseIntInRange(name, *value, min, max);
}

int envPort(const EnvLookup& env, const std::string& name, int fallback, bool allowZero) {
    return static_cast<int>(envIntInRange(env, name, fallback, allowZero ? 0 : 1, 65535));
}

}  // namespace sea::apps

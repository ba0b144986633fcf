#pragma once
// Strict parsing of configuration values taken from environment variables.
// Every failure throws ConfigError whose what() is one line naming the variable and the problem,
// e.g. "OUTBOX_BATCH_SIZE: must be an integer in 1..10000, got \"0\"". Services print it and exit 2.
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace sea::apps {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Environment lookup: returns nullopt for an unset variable. Injected so tests need not touch the real env.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the process environment.
EnvLookup processEnv();
// Reads a fixed map (tests).
EnvLookup mapEnv(std::map<std::string, std::string> values);

// Value of `name`, or `fallback` when unset. An empty value counts as set-but-invalid for required
// formats, so callers validate it; this only reports presence.
std::string envOr(const EnvLookup& env, const std::string& name, const std::string& fallback);

// Parses a decimal integer in [min, max] (no sign for non-negative ranges, no trailing junk).
long long parseIntInRange(const std::string& name, const std::string& text, long long min, long long max);

// Integer env var in [min, max], `fallback` when unset.
long long envIntInRange(const EnvLookup& env, const std::string& name, long long fallback, long long min,
                        long long max);

// TCP port env var in 1..65535 (0 allowed when allowZero: the OS picks one), `fallback` when unset.
int envPort(const EnvLookup& env, const std::string& name, int fallback, bool allowZero = false);

}  // namespace sea::apps

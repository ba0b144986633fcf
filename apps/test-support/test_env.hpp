#pragma once
// Small helpers for integration tests: free loopback ports, deadline-checked polling, temp dirs,
// locating server binaries, and the SEA_REQUIRE_ALL policy (missing binary = skip, or fail when set).
#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace sea::apps_test {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read, close).
int freeLoopbackPort();

// Polls `condition` every `interval` until it returns true (-> true) or `timeout` passes (-> false).
bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval = std::chrono::milliseconds(20));

// Creates a fresh directory under $TMPDIR (or /tmp), removed recursively by the destructor.
class TempDir {
public:
    explicit TempDir(const std::string& prefix);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// First existing executable among: $envVar (if set), each candidate path. nullopt when none exists.
std::optional<std::string> findExecutable(const char* envVar, std::initializer_list<std::string> candidates);

// True when SEA_REQUIRE_ALL=1: a missing server binary must fail the test instead of skipping it.
bool requireAll();

// Path of the OPA binary: $SEA_OPA_BIN, <repo>/.cache/bin/opa, then `opa` on PATH.
std::optional<std::string> findOpa();

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& content);

}  // namespace sea::apps_test

// Skips the test (or fails it under SEA_REQUIRE_ALL=1) when `optionalPath` is empty.
#define SEA_REQUIRE_BINARY(optionalPath, what)                                                   \
    do {                                                                                         \
        if (!(optionalPath)) {                                                                   \
            if (::sea::apps_test::requireAll()) FAIL() << what << " not found (SEA_REQUIRE_ALL=1)"; \
            GTEST_SKIP() << what << " not found";                                                \
        }                                                                                        \
    } while (0)

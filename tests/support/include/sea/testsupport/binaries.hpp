// Locating external binaries (servers) and turning a missing one into a skipped test.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sea::testsupport {

// Returns the value of env_var when it is set, non-empty and names an executable file; otherwise
// the first executable path in candidates; std::nullopt when none is found.
std::optional<std::string> find_binary(const std::string& env_var, const std::vector<std::string>& candidates);

// True when env SEA_REQUIRE_ALL=1: missing binaries must fail tests instead of skipping them.
bool require_all();

// Well-known binaries of this suite (env override in parentheses):
std::optional<std::string> nats_server_binary();    // SEA_NATS_SERVER, /usr/sbin/nats-server, /usr/bin/nats-server
std::optional<std::string> postgres_bin_dir();      // SEA_PG_BIN_DIR (dir holding initdb, pg_ctl), else the highest
                                                    // /usr/lib/postgresql/<major>/bin (15 Debian 12, 14/16 Ubuntu 22.04/24.04)
std::optional<std::string> opa_binary();            // SEA_OPA_BIN, <repo>/.cache/bin/opa, then `opa` on PATH

}  // namespace sea::testsupport

// Use at the top of a TEST body or SetUp(): when `optional_path` is empty, GTEST_SKIP()s with a
// message naming `what` — or FAILs (and returns) when SEA_REQUIRE_ALL=1.
// Needs <gtest/gtest.h> included before use.
#define SEA_REQUIRE_BINARY(optional_path, what)                                                   \
  do {                                                                                            \
    if (!(optional_path)) {                                                                       \
      if (::sea::testsupport::require_all()) {                                                    \
        GTEST_FAIL() << "required binary missing: " << (what) << " (SEA_REQUIRE_ALL=1)";          \
      } else {                                                                                    \
        GTEST_SKIP() << "binary not found: " << (what) << " (set SEA_REQUIRE_ALL=1 to fail instead)"; \
      }                                                                                           \
    }                                                                                             \
  } while (false)

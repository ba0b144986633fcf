// Binary discovery (see binaries.hpp).
#include "sea/testsupport/binaries.hpp"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace sea::testsupport {

std::optional<std::string> find_binary(const std::string& env_var, const std::vector<std::string>& candidates) {
  if (const char* value = std::getenv(env_var.c_str()); value != nullptr && *value != '\0') {
    if (::access(value, X_OK) == 0) return std::string(value);
  }
  for (const auto& candidate : candidates) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

bool require_all() {
  const char* value = std::getenv("SEA_REQUIRE_ALL");
  return value != nullptr && std::string(value) == "1";
}

std::optional<std::string> nats_server_binary() {
  return find_binary("SEA_NATS_SERVER", {"/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"});
}

std::optional<std::string> postgres_bin_dir() {
  std::string dir;
  if (const char* value = std::getenv("SEA_PG_BIN_DIR"); value != nullptr && *value != '\0') {
    dir = value;
  } else {
    dir = "/usr/lib/postgresql/15/bin";
  }
  if (::access((dir + "/initdb").c_str(), X_OK) == 0 && ::access((dir + "/pg_ctl").c_str(), X_OK) == 0) return dir;
  return std::nullopt;
}

std::optional<std::string> opa_binary() {
  std::vector<std::string> candidates{std::string(SEA_TESTSUPPORT_SOURCE_ROOT) + "/.cache/bin/opa"};
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (!dir.empty()) candidates.push_back(dir + "/opa");
    }
  }
  return find_binary("SEA_OPA_BIN", candidates);
}

}  // namespace sea::testsupport

// Binary discovery (see binaries.hpp).
#include "sea/testsupport/binaries.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
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
  const auto usable = [](const std::string& dir) {
    return ::access((dir + "/initdb").c_str(), X_OK) == 0 && ::access((dir + "/pg_ctl").c_str(), X_OK) == 0;
  };
  if (const char* value = std::getenv("SEA_PG_BIN_DIR"); value != nullptr && *value != '\0') {
    if (usable(value)) return std::string(value);
    return std::nullopt;
  }
  // Debian/Ubuntu install each server version under /usr/lib/postgresql/<major>/bin (15 on Debian 12,
  // 14 on Ubuntu 22.04, 16 on Ubuntu 24.04): take the highest major that has initdb and pg_ctl.
  std::optional<std::string> best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos || name.size() > 4) continue;
    const int major = std::stoi(name);
    const std::string dir = entry.path().string() + "/bin";
    if (major > best_major && usable(dir)) {
      best_major = major;
      best = dir;
    }
  }
  return best;
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

// Local OPA server for tests (see local_opa.hpp).
#include "sea/testsupport/local_opa.hpp"

#include <signal.h>

#include <stdexcept>

#include <fmt/core.h>

#include "sea/probes/http_probe.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/subprocess.hpp"

namespace sea::testsupport {

LocalOpa::LocalOpa(LocalOpaOptions options) : options_(std::move(options)) {
  if (options_.policy.empty()) throw std::invalid_argument("LocalOpa: LocalOpaOptions::policy is empty");
  const auto binary = opa_binary();
  if (!binary) throw std::runtime_error("LocalOpa: opa not found (set SEA_OPA_BIN)");
  binary_ = *binary;
  dir_ = std::make_unique<TempDir>("sea-opa-");
  policy_path_ = dir_->write_file("policy.rego", options_.policy);
  log_path_ = dir_->path() + "/opa.log";
  port_ = free_loopback_port();
  start();
}

LocalOpa::~LocalOpa() { kill(); }

std::string LocalOpa::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

void LocalOpa::start() {
  if (running()) return;
  pid_ = spawn_process({binary_, "run", "--server", "--addr", fmt::format("127.0.0.1:{}", port_), "--log-level",
                        "error", "--disable-telemetry", policy_path_},
                       log_path_);
  wait_ready();
}

void LocalOpa::wait_ready() {
  const auto what = fmt::format("opa on port {}", port_);
  const auto error = wait_process_ready(pid_, options_.ready_timeout, what, log_path_, [this]() -> std::string {
    const auto health = probes::http_get(url() + "/health", std::chrono::milliseconds(1000));
    if (health.ok()) return "";
    return fmt::format("/health: {} {} {}", probes::to_string(health.outcome), health.status, health.error);
  });
  if (!error.empty()) {
    kill();
    throw std::runtime_error(error);
  }
}

void LocalOpa::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);  // a paused process dies on SIGKILL too, but resume it so no state is left odd
  ::kill(pid_, SIGKILL);
  wait_for_exit(pid_, std::chrono::milliseconds(5000));
  pid_ = 0;
}

void LocalOpa::pause() { pause_process(pid_, "LocalOpa"); }

void LocalOpa::resume() { resume_process(pid_, "LocalOpa"); }

bool LocalOpa::running() const { return pid_ > 0 && child_running(pid_); }

}  // namespace sea::testsupport

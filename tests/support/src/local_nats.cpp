// Local nats-server for tests (see local_nats.hpp).
#include "sea/testsupport/local_nats.hpp"

#include <signal.h>

#include <stdexcept>

#include <fmt/core.h>

#include "sea/probes/nats_probe.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/subprocess.hpp"

namespace sea::testsupport {

LocalNats::LocalNats(LocalNatsOptions options) : options_(std::move(options)) {
  const auto binary = nats_server_binary();
  if (!binary) throw std::runtime_error("LocalNats: nats-server not found (set SEA_NATS_SERVER)");
  binary_ = *binary;
  dir_ = std::make_unique<TempDir>("sea-nats-");
  config_path_ = dir_->path() + "/nats.conf";
  store_dir_ = dir_->path() + "/store";
  log_path_ = dir_->path() + "/nats.log";
  port_ = free_loopback_port();
  monitor_port_ = free_loopback_port();
  write_config();
  start();
}

LocalNats::~LocalNats() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::milliseconds(5000));
  }
}

std::string LocalNats::url() const { return fmt::format("nats://127.0.0.1:{}", port_); }
std::string LocalNats::monitor_url() const { return fmt::format("http://127.0.0.1:{}", monitor_port_); }

void LocalNats::write_config() const {
  std::string config = fmt::format(
      "server_name: \"{}\"\nlisten: \"127.0.0.1:{}\"\nhttp: \"127.0.0.1:{}\"\n", options_.server_name, port_,
      monitor_port_);
  if (options_.jetstream) {
    config += fmt::format("jetstream {{\n  store_dir: \"{}\"\n  max_mem: 256MB\n  max_file: 2GB\n", store_dir_);
    if (options_.domain) config += fmt::format("  domain: \"{}\"\n", *options_.domain);
    config += "}\n";
  }
  config += options_.extra_config + "\n";
  dir_->write_file("nats.conf", config);
}

void LocalNats::start() {
  if (running()) return;
  pid_ = spawn_process({binary_, "-c", config_path_}, log_path_);
  paused_ = false;
  wait_ready();
}

void LocalNats::wait_ready() {
  const auto what = fmt::format("nats-server on port {}", port_);
  const auto error = wait_process_ready(pid_, options_.ready_timeout, what, log_path_, [this]() -> std::string {
    const auto health = probes::nats_healthz(monitor_url(), std::chrono::milliseconds(1000));
    if (!health.ok) return "healthz: " + (health.error.empty() ? health.body : health.error);
    const auto info = probes::nats_info_handshake(url(), std::chrono::milliseconds(1000));
    return info.ok ? "" : "INFO: " + info.error;
  });
  if (!error.empty()) {
    kill();
    throw std::runtime_error(error);
  }
}

void LocalNats::stop() {
  if (pid_ <= 0) return;
  if (paused_) resume();
  ::kill(pid_, SIGTERM);
  if (!wait_for_exit(pid_, std::chrono::milliseconds(10000))) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::milliseconds(5000));
  }
  pid_ = 0;
}

void LocalNats::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_for_exit(pid_, std::chrono::milliseconds(5000));
  pid_ = 0;
  paused_ = false;
}

void LocalNats::pause() {
  paused_ = true;  // set first: stop() must resume even if waiting for the threads fails
  pause_process(pid_, "LocalNats");
}

void LocalNats::resume() {
  resume_process(pid_, "LocalNats");
  paused_ = false;
}

bool LocalNats::running() const { return pid_ > 0 && child_running(pid_); }

}  // namespace sea::testsupport

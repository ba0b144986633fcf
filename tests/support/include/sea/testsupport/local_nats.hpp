// A throw-away nats-server (JetStream enabled) for integration tests, run as a local process on
// 127.0.0.1:<free port> with its HTTP monitor on another free port and a private store dir.
//
// The server is configured through a generated config file equivalent to
//   nats-server -js -a 127.0.0.1 -p PORT -m MONPORT -sd DIR
// plus jetstream max_mem 256MB / max_file 2GB (the defaults advertise 75 % of the host) and an
// optional JetStream domain. Readiness = /healthz answers 200 AND the client port sends INFO,
// polled under a deadline. stop()/start() keep the same ports and store dir, so JetStream data
// survives a restart. Failures throw std::runtime_error including the server log's tail.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "sea/testsupport/temp_dir.hpp"

namespace sea::testsupport {

struct LocalNatsOptions {
  bool jetstream = true;
  std::optional<std::string> domain;       // jetstream { domain: ... }
  std::string server_name = "sea-test-nats";
  std::string extra_config;                // appended verbatim to the config file
  std::chrono::milliseconds ready_timeout{20000};
};

class LocalNats {
 public:
  explicit LocalNats(LocalNatsOptions options = {});
  LocalNats(const LocalNats&) = delete;
  LocalNats& operator=(const LocalNats&) = delete;
  ~LocalNats();

  std::string url() const;          // nats://127.0.0.1:PORT
  std::string monitor_url() const;  // http://127.0.0.1:MONPORT
  int port() const { return port_; }
  int monitor_port() const { return monitor_port_; }
  const std::string& store_dir() const { return store_dir_; }
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

  void start();   // same ports, same store dir; waits until ready
  void stop();    // SIGTERM (lame-duck free, clean shutdown), SIGKILL after 10 s
  void kill();    // SIGKILL
  void pause();   // SIGSTOP, returns once every thread is stopped: TCP connects complete, nothing answers
  void resume();  // SIGCONT, returns once the threads run again
  bool running() const;

 private:
  void write_config() const;
  void wait_ready();

  LocalNatsOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::string binary_;
  std::string config_path_;
  std::string store_dir_;
  std::string log_path_;
  int port_ = 0;
  int monitor_port_ = 0;
  pid_t pid_ = 0;
  bool paused_ = false;
};

}  // namespace sea::testsupport

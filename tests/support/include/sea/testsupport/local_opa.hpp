// A throw-away OPA server for integration tests, run as a local process
//   opa run --server --addr 127.0.0.1:PORT --log-level error --disable-telemetry <dir>/policy.rego
// on a free loopback port with the given Rego policy. Readiness = GET /health answers 200, polled
// under a deadline. kill()/start() keep the port and the policy. Failures throw std::runtime_error
// including the server log's tail. Binary: opa_binary() (check it with SEA_REQUIRE_BINARY first).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "sea/testsupport/temp_dir.hpp"

namespace sea::testsupport {

struct LocalOpaOptions {
  std::string policy;  // Rego source, required (e.g. "package sea.authz\n default allow := false ...")
  std::chrono::milliseconds ready_timeout{30000};
};

class LocalOpa {
 public:
  explicit LocalOpa(LocalOpaOptions options);  // starts the server; throws when the policy is empty
  LocalOpa(const LocalOpa&) = delete;
  LocalOpa& operator=(const LocalOpa&) = delete;
  ~LocalOpa();

  std::string url() const;  // http://127.0.0.1:PORT
  int port() const { return port_; }
  const std::string& log_path() const { return log_path_; }

  void start();   // same port and policy; waits until ready
  void kill();    // SIGKILL
  void pause();   // SIGSTOP: TCP connects still complete (kernel backlog) but nothing ever answers
  void resume();  // SIGCONT
  bool running() const;

 private:
  void wait_ready();

  LocalOpaOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::string binary_;
  std::string policy_path_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace sea::testsupport

// A child process owned by a test (RAII over spawn_process): stdout+stderr appended to a log file,
// environment = the test's plus extra variables. The destructor SIGKILLs (after SIGCONT, in case it
// was paused) and reaps a child that still runs, so a failed test leaves no orphans.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sea::testsupport {

class ChildProcess {
 public:
  // argv[0] is the executable's path. Throws std::runtime_error when the process cannot be started.
  ChildProcess(std::vector<std::string> argv, std::string log_path, std::map<std::string, std::string> extra_env = {});
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  bool running();                 // false once it has exited (the exit code is kept)
  void signal(int signo);         // no-op when it has exited
  // Waits up to `timeout`; returns the exit code (128+signal for a signal death) or nullopt (still running).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  void kill();                    // SIGKILL + reap; no-op when it has exited
  std::optional<int> exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> exit_code_;
};

}  // namespace sea::testsupport

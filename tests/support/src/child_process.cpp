// Owned child processes (see child_process.hpp).
#include "sea/testsupport/child_process.hpp"

#include <signal.h>

#include "sea/testsupport/subprocess.hpp"

namespace sea::testsupport {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_path,
                           std::map<std::string, std::string> extra_env)
    : pid_(spawn_process(argv, log_path, extra_env)), log_path_(std::move(log_path)) {}

ChildProcess::~ChildProcess() { kill(); }

bool ChildProcess::running() { return !wait_exit(std::chrono::milliseconds(0)).has_value(); }

void ChildProcess::signal(int signo) {
  if (running()) ::kill(pid_, signo);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (!exit_code_) exit_code_ = wait_for_exit(pid_, timeout);
  return exit_code_;
}

void ChildProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGKILL);
  wait_exit(std::chrono::milliseconds(10000));
}

}  // namespace sea::testsupport

// Minimal child-process control for the local servers (fork/exec; the child gets SIGKILL when
// the test process dies, so crashed tests do not leave servers behind).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sea::testsupport {

// Starts argv[0] (absolute path) with argv, stdin from /dev/null, stdout+stderr appended to
// log_path, the current environment plus extra_env (which overrides variables of the same name).
// Throws std::runtime_error when fork/exec setup fails (exec failure shows as exit 127).
pid_t spawn_process(const std::vector<std::string>& argv, const std::string& log_path,
                    const std::map<std::string, std::string>& extra_env = {});

// Waits for the child to exit; returns its exit code (128+signal when killed) or std::nullopt on timeout.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

// True while the child has not exited (reaps it if it has).
bool child_running(pid_t pid);

// Runs a command to completion; returns its exit code. Throws std::runtime_error naming the
// command when it does not finish within timeout (the child is killed).
int run_command(const std::vector<std::string>& argv, const std::string& log_path, std::chrono::milliseconds timeout);

// The last max_bytes of a file ("" if unreadable), for error messages.
std::string file_tail(const std::string& path, std::size_t max_bytes = 2000);

// Readiness wait of a server child: calls probe() every 20 ms until it returns "" (ready), the child
// `pid` exits, or `timeout` passes. Returns "" when ready, else an error message for the caller to
// throw: "<what> not ready within N ms (<why>):\n<tail of log_path>", where <why> is "process exited"
// or the last answer of probe() (which should name what is not ready yet).
std::string wait_process_ready(pid_t pid, std::chrono::milliseconds timeout, const std::string& what,
                               const std::string& log_path, const std::function<std::string()>& probe);

// The whole file ("" if unreadable).
std::string read_file(const std::string& path);

// SIGSTOP / SIGCONT a process and return once every one of its threads is stopped / running again
// (kill() returns before a multi-threaded process has fully stopped, and a thread still running could
// answer one more client). `who` names the process in the std::runtime_error thrown when it is gone
// or (pause only) not stopped within 2 s.
void pause_process(pid_t pid, const std::string& who);
void resume_process(pid_t pid, const std::string& who);

}  // namespace sea::testsupport

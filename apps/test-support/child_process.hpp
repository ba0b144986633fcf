#pragma once
// A child process started with posix_spawn, stdout+stderr appended to a log file.
// The destructor kills (SIGKILL) and reaps a still-running child, so a failed test leaves no orphans.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sea::apps_test {

class ChildProcess {
public:
    // argv[0] is the executable path; `extraEnv` is added to (and overrides) the current environment.
    ChildProcess(std::vector<std::string> argv, std::string logPath, std::map<std::string, std::string> extraEnv = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    void signal(int signo);
    // Waits for exit up to `timeout`; returns the exit code (128+signal for a signal death) or nullopt.
    std::optional<int> waitExit(std::chrono::milliseconds timeout);
    // SIGKILL + reap.
    void kill();
    const std::string& logPath() const { return logPath_; }

private:
    pid_t pid_ = -1;
    std::optional<int> exitCode_;
    std::string logPath_;
};

// Runs a command to completion (bounded by `timeout`, then SIGKILL); returns its exit code.
int runCommand(const std::vector<std::string>& argv, const std::string& logPath,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace sea::apps_test

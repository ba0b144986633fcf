// fork/exec child control (see subprocess.hpp).
#include "sea/testsupport/subprocess.hpp"

#include "sea/testsupport/poll.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sea::testsupport {

namespace {

// "KEY=value" strings of the current environment with `extra` merged in (extra wins).
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string::npos) variables[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& [key, value] : extra) variables[key] = value;
  std::vector<std::string> out;
  for (const auto& [key, value] : variables) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

pid_t spawn_process(const std::vector<std::string>& argv, const std::string& log_path,
                    const std::map<std::string, std::string>& extra_env) {
  if (argv.empty()) throw std::invalid_argument("spawn_process: empty argv");
  // Everything the child needs is built before fork(): the child may only make async-signal-safe calls.
  std::vector<char*> args = c_strings(argv);
  const std::vector<std::string> env_strings = merged_environment(extra_env);
  std::vector<char*> envp = c_strings(env_strings);
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("open " + log_path + ": " + std::strerror(errno));
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    ::close(null_fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {  // child: async-signal-safe calls only
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  return pid;
}

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (done < 0 && errno != EINTR) return -1;  // not our child / already reaped
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll waitpid again until the deadline
  }
}

bool child_running(pid_t pid) {
  if (pid <= 0) return false;
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == 0;
}

int run_command(const std::vector<std::string>& argv, const std::string& log_path, std::chrono::milliseconds timeout) {
  const pid_t pid = spawn_process(argv, log_path);
  if (auto code = wait_for_exit(pid, timeout)) return *code;
  ::kill(pid, SIGKILL);
  wait_for_exit(pid, std::chrono::milliseconds(2000));
  std::ostringstream cmd;
  for (const auto& a : argv) cmd << a << ' ';
  throw std::runtime_error("command timed out after " + std::to_string(timeout.count()) + " ms: " + cmd.str());
}

std::string wait_process_ready(pid_t pid, std::chrono::milliseconds timeout, const std::string& what,
                               const std::string& log_path, const std::function<std::string()>& probe) {
  const std::string exited = "process exited";
  std::string problem;
  poll_until(timeout, [&] {
    problem = child_running(pid) ? probe() : exited;
    return problem.empty() || problem == exited;
  }, std::chrono::milliseconds(20));
  if (problem.empty()) return {};
  return what + " not ready within " + std::to_string(timeout.count()) + " ms (" + problem + "):\n" +
         file_tail(log_path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string file_tail(const std::string& path, std::size_t max_bytes) {
  const std::string text = read_file(path);
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

namespace {
// True when every thread of pid is stopped ('T') (want_stopped) or none is (!want_stopped).
bool all_threads_in_state(pid_t pid, bool want_stopped) {
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    std::ifstream stat(task.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= line.size()) continue;
    const bool stopped = line[close_paren + 2] == 'T';
    if (stopped != want_stopped) return false;
  }
  return !error;
}
}  // namespace

void pause_process(pid_t pid, const std::string& who) {
  if (pid <= 0 || ::kill(pid, SIGSTOP) != 0) throw std::runtime_error(who + " pause: process not running");
  if (!poll_until(std::chrono::milliseconds(2000), [pid] { return all_threads_in_state(pid, true); },
                  std::chrono::milliseconds(1))) {
    throw std::runtime_error(who + " pause: threads not stopped after 2 s");
  }
}

void resume_process(pid_t pid, const std::string& who) {
  if (pid <= 0 || ::kill(pid, SIGCONT) != 0) throw std::runtime_error(who + " resume: process not running");
  poll_until(std::chrono::milliseconds(2000), [pid] { return all_threads_in_state(pid, false); },
             std::chrono::milliseconds(1));
}

}  // namespace sea::testsupport

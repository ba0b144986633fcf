// Driving the chaos scenario binaries as a user does (start them, watch their log lines, signal them, run
// `just heal`) and listing what one run left on this machine. Shared by the crash and interference matrices.
//
// Contracts:
//  * ChaosRun starts <bin dir>/chaos-<scenario> with stdout+stderr in a log file (the child dies with the test
//    process). wait_for(text) polls that log every 10 ms (a kill lands within ~10 ms of the line it waits for)
//    and returns false at the deadline or when the run exited without printing it.
//  * leftovers_of(scenario, pid) lists everything of that run still here, one line each: containers,
//    networks and volumes of its compose project (any status: paused or exited too), its fault-ledger entries,
//    its sea-stack-* work dir, compose processes still working on its project, and DROP rules tagged with its
//    run id inside the namespace of any sea-chaos container still running. Empty = it left nothing. Only that
//    run's objects count, so other engineers' live stacks on the same machine never fail the check.
#pragma once

#include "sea/fixtures/docker.hpp"
#include "sea/fixtures/env.hpp"
#include "sea/fixtures/eventually.hpp"
#include "sea/fixtures/fault_ledger.hpp"
#include "sea/fixtures/stack.hpp"
#include "sea/testsupport/subprocess.hpp"

#include <fmt/format.h>
#include <sys/types.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace sea::stacktest {

namespace testsupport = sea::testsupport;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline std::string scenario_binary(const std::string& scenario) { return std::string(SEA_CHAOS_BIN_DIR) + "/chaos-" + scenario; }

class ChaosRun {
public:
    ChaosRun(const std::string& scenario, const std::filesystem::path& log, const std::map<std::string, std::string>& env = {})
        : scenario_(scenario), log_(log) {
        std::filesystem::remove(log_);
        pid_ = testsupport::spawn_process({scenario_binary(scenario)}, log_.string(), env);
    }
    ~ChaosRun() {
        if (!exit_code_) {
            ::kill(pid_, SIGKILL);
            (void)testsupport::wait_for_exit(pid_, 10s);
        }
    }
    ChaosRun(const ChaosRun&) = delete;
    ChaosRun& operator=(const ChaosRun&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::string& scenario() const { return scenario_; }
    [[nodiscard]] std::string log() const { return testsupport::read_file(log_.string()); }
    [[nodiscard]] std::string tail(std::size_t bytes = 3000) const { return testsupport::file_tail(log_.string(), bytes); }
    [[nodiscard]] bool printed(const std::string& text) const { return log().find(text) != std::string::npos; }
    // `text` appears on a line after the first line holding `first`.
    [[nodiscard]] bool printed_after(const std::string& first, const std::string& text) const {
        const auto all = log();
        const auto at = all.find(first);
        if (at == std::string::npos) return false;
        const auto eol = all.find('\n', at);
        return eol != std::string::npos && all.find(text, eol) != std::string::npos;
    }

    bool wait_for(const std::string& text, std::chrono::milliseconds timeout) {
        const auto deadline = fixtures::Deadline::in(timeout);
        for (;;) {
            if (printed(text)) return true;
            if (exited() || deadline.expired()) return printed(text);
            deadline.sleep_at_most(10ms);
        }
    }
    bool exited() {
        if (!exit_code_ && !testsupport::child_running(pid_)) exit_code_ = testsupport::wait_for_exit(pid_, 1s);
        return exit_code_.has_value();
    }
    void signal(int sig) const { ::kill(pid_, sig); }
    // Exit code (128 + signal when killed); nullopt when still running after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout) {
        if (!exit_code_) exit_code_ = testsupport::wait_for_exit(pid_, timeout);
        return exit_code_;
    }

private:
    std::string scenario_;
    std::filesystem::path log_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

// The compose project name prefix of a scenario run (make_project_name: prefix + pid + 6 hex, at most 40 chars).
inline std::string project_prefix_of(const std::string& scenario, pid_t pid) {
    std::string base = fixtures::sanitize_project_prefix("seachaos" + scenario);
    const std::string pid_text = std::to_string(pid);
    if (base.size() + pid_text.size() + 6 > 40) base.resize(40 - pid_text.size() - 6);
    return base + pid_text;
}

inline std::vector<std::string> leftovers_of(const std::string& scenario, pid_t pid) {
    std::vector<std::string> found;
    const auto prefix = project_prefix_of(scenario, pid);
    const std::string format = "{{.Label \"com.docker.compose.project\"}}\t";
    for (const auto& [what, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"container", {"ps", "-a", "--format", format + "{{.Names}} {{.Status}}"}},
             {"network", {"network", "ls", "--format", format + "{{.Name}}"}},
             {"volume", {"volume", "ls", "--format", format + "{{.Name}}"}}}) {
        for (const auto& line : fixtures::split_lines(fixtures::docker_checked(args, "list " + what + "s"))) {
            if (line.starts_with(prefix)) found.push_back(what + " " + line.substr(line.find('\t') + 1) + " of " + line.substr(0, line.find('\t')));
        }
    }
    for (const auto& entry : fixtures::FaultLedger::process_default().entries()) {
        if (entry.owner && entry.owner->pid == pid) found.push_back("ledger entry " + entry.kind + " on " + entry.container);
    }
    std::error_code ec;
    for (const auto& dir : std::filesystem::directory_iterator(std::filesystem::temp_directory_path(), ec)) {
        if (dir.path().filename().string().starts_with("sea-stack-" + prefix)) found.push_back("work dir " + dir.path().string());
    }
    for (const auto& dir : std::filesystem::directory_iterator("/proc", ec)) {
        std::ifstream in(dir.path() / "cmdline", std::ios::binary);
        std::string arg, previous;
        while (std::getline(in, arg, '\0')) {
            if (previous == "-p" && arg.starts_with(prefix)) found.push_back("compose process " + dir.path().filename().string());
            previous = arg;
        }
    }
    const std::string tag = fmt::format("sea-chaos:local-{}-", pid);
    const auto running = fixtures::docker_checked({"ps", "-q", "--filter", "label=sea.chaos.suite=sea-chaos"}, "list running containers");
    for (const auto& id : fixtures::split_lines(running)) {
        try {
            const fixtures::Container c(id);
            const auto rules = probes::run_process({"nsenter", "-t", std::to_string(c.pid()), "-n", "iptables", "-S"}, 10s);
            for (const auto& rule : fixtures::split_lines(rules.out)) {
                if (rule.find(tag) != std::string::npos) found.push_back("rule in " + c.name() + ": " + rule);
            }
        } catch (const std::exception&) {
            // the container went away while we looked: it holds no rules
        }
    }
    return found;
}

inline std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += "\n  " + line;
    return text.empty() ? " nothing" : text;
}

// `just heal [args]` when `just` is on PATH (the README's command), else the tool itself. Output in `log`.
inline int run_heal(const std::vector<std::string>& args, const std::filesystem::path& log, std::chrono::milliseconds timeout = 1500s) {
    const auto just = probes::run_process({"just", "--version"}, 10s);
    std::vector<std::string> argv;
    if (just.ok()) {
        argv = {"/usr/bin/env", "just", "--justfile", (fixtures::repo_root() / "justfile").string(), "heal"};
    } else {
        argv = {SEA_CHAOS_HEAL_BIN};
    }
    argv.insert(argv.end(), args.begin(), args.end());
    std::filesystem::remove(log);
    return testsupport::run_command(argv, log.string(), timeout);
}

}  // namespace sea::stacktest

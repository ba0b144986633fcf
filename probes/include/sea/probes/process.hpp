// sea::probes::run_process — run one external command (argv only, never a shell string) with a hard timeout.
//
// Contract:
//  * argv[0] without a '/' is resolved through PATH; with a '/' it is used as given.
//  * stdout and stderr are read concurrently (no pipe deadlock on large output); each is kept up to
//    ProcessOptions::max_output_bytes, the rest is read and discarded (`truncated` is set).
//  * The child inherits only stdin/stdout/stderr (no other descriptors of the caller leak into it).
//  * The child runs in its own process group. On timeout the whole group gets SIGTERM, then SIGKILL after
//    ProcessOptions::kill_grace, and the child is always reaped before run_process returns.
//  * Never throws for a failing command: a missing binary sets spawn_failed, a timeout sets timed_out,
//    a non-zero exit sets exit_code; `error` describes the problem in one line, `ok()` is the happy path.
//  * exit_code follows the shell convention: 0..255 for a normal exit, 128+N when killed by signal N
//    (term_signal is then N), -1 when the process never ran.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sea::probes {

struct ProcessOptions {
    std::map<std::string, std::string> env;          // added to (or overriding) the inherited environment
    std::optional<std::filesystem::path> working_dir; // default: the caller's working directory
    std::optional<std::string> stdin_text;            // default: stdin is /dev/null
    std::size_t max_output_bytes = 16u * 1024u * 1024u; // per stream
    std::chrono::milliseconds kill_grace{1000};       // SIGTERM -> SIGKILL delay on timeout
};

struct ProcessResult {
    int exit_code = -1;
    bool timed_out = false;
    bool spawn_failed = false;
    std::string out, err;
    std::chrono::microseconds elapsed{0};
    std::string error;       // empty when ok(); otherwise one line naming the command and the problem
    int term_signal = 0;     // signal that ended the process, 0 when it exited normally
    bool truncated = false;  // output beyond max_output_bytes was discarded
    std::string command;     // format_argv(argv), for messages

    [[nodiscard]] bool ok() const { return !spawn_failed && !timed_out && exit_code == 0; }
    // "`docker ps` exited with code 1 after 12 ms: <first stderr line>" or "`x` ok in 3 ms".
    [[nodiscard]] std::string describe() const;
};

// The command line as one readable string, for messages only (never executed by a shell).
std::string format_argv(const std::vector<std::string>& argv);

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const ProcessOptions& options = {});

}  // namespace sea::probes

// run_process: Boost.Process child with asio pipes for stdout/stderr/stdin, polled against one deadline.
#include "sea/probes/process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/process/args.hpp>
#include <boost/process/async_pipe.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/search_path.hpp>
#include <boost/process/start_dir.hpp>

#include <fmt/format.h>

#include <array>
#include <csignal>
#include <fcntl.h>
#include <linux/close_range.h>
#include <memory>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

namespace sea::probes {
namespace {

// Reads one pipe until EOF into `sink`, keeping at most `limit` bytes.
struct PipeReader {
    PipeReader(boost::asio::io_context& io, std::size_t limit_bytes) : pipe(io), limit(limit_bytes) {}
    bp::async_pipe pipe;
    std::size_t limit;
    std::string sink;
    bool done = false;
    bool truncated = false;
    std::array<char, 65536> buffer{};

    void start() {
        pipe.async_read_some(boost::asio::buffer(buffer), [this](const boost::system::error_code& ec, std::size_t n) {
            if (n > 0) {
                const std::size_t room = sink.size() < limit ? limit - sink.size() : 0;
                sink.append(buffer.data(), std::min(room, n));
                if (n > room) truncated = true;
            }
            if (ec) {
                done = true;  // EOF or pipe closed
                return;
            }
            start();
        });
    }
};

std::string first_line(const std::string& text) {
    const auto end = text.find('\n');
    std::string line = text.substr(0, end);
    if (line.size() > 300) line = line.substr(0, 300) + "...";
    return line;
}

long long ms_of(std::chrono::microseconds us) { return static_cast<long long>(us.count() / 1000); }

// Polls waitpid through Boost (non-blocking) until the child exits or `until` passes.
bool wait_exit_until(bp::child& child, Clock::time_point until) {
    for (;;) {
        std::error_code ec;
        if (!child.running(ec)) return true;
        if (Clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // poll again until the deadline `until`
    }
}

void fill_exit_status(bp::child& child, ProcessResult& result) {
    const int status = child.native_exit_code();
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.term_signal = WTERMSIG(status);
        result.exit_code = 128 + result.term_signal;
    }
}

}  // namespace

std::string format_argv(const std::vector<std::string>& argv) {
    std::string text;
    for (const auto& arg : argv) {
        if (!text.empty()) text += ' ';
        const bool plain = !arg.empty() && arg.find_first_of(" \t\n'\"\\$`") == std::string::npos;
        text += plain ? arg : "'" + arg + "'";
    }
    return text;
}

std::string ProcessResult::describe() const {
    const auto ms = ms_of(elapsed);
    if (spawn_failed) return fmt::format("`{}` could not start: {}", command, error);
    if (timed_out) return fmt::format("`{}` timed out after {} ms (killed); stderr: {}", command, ms, first_line(err));
    if (exit_code != 0) return fmt::format("`{}` exited with code {} after {} ms: {}", command, exit_code, ms, first_line(err.empty() ? out : err));
    return fmt::format("`{}` ok in {} ms", command, ms);
}

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const ProcessOptions& options) {
    ProcessResult result;
    result.command = format_argv(argv);
    const auto started = Clock::now();
    auto finish = [&]() -> ProcessResult {
        result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
        if (result.error.empty() && !result.ok()) result.error = result.describe();
        return std::move(result);
    };

    if (argv.empty() || argv.front().empty()) {
        result.spawn_failed = true;
        result.error = "run_process: empty argv (no program to run)";
        return finish();
    }
    boost::filesystem::path program = argv.front();
    if (argv.front().find('/') == std::string::npos) {
        program = bp::search_path(argv.front());
        if (program.empty()) {
            result.spawn_failed = true;
            result.error = fmt::format("executable '{}' not found on PATH", argv.front());
            return finish();
        }
    }
    const std::vector<std::string> args(argv.begin() + 1, argv.end());

    boost::asio::io_context io;
    auto out = std::make_unique<PipeReader>(io, options.max_output_bytes);
    auto err = std::make_unique<PipeReader>(io, options.max_output_bytes);
    bp::async_pipe in_pipe(io);
    bp::environment env = boost::this_process::environment();
    for (const auto& [key, value] : options.env) env[key] = value;
    // In the forked child before exec: own process group; every descriptor above stderr gets close-on-exec,
    // so only stdio (and Boost's own CLOEXEC error pipe until exec) survive.
    const auto child_setup = bp::extend::on_exec_setup = [](auto&) {
        ::setpgid(0, 0);
        if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
            for (int fd = 3; fd < 4096; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    };

    bp::child child;
    try {
        const boost::filesystem::path dir = options.working_dir ? options.working_dir->string()
                                                                 : boost::filesystem::current_path();
        if (options.stdin_text) {
            child = bp::child(program, bp::args(args), bp::std_out > out->pipe, bp::std_err > err->pipe,
                              bp::std_in < in_pipe, env, bp::start_dir(dir), child_setup);
        } else {
            child = bp::child(program, bp::args(args), bp::std_out > out->pipe, bp::std_err > err->pipe,
                              bp::std_in < bp::null, env, bp::start_dir(dir), child_setup);
        }
    } catch (const std::exception& e) {
        result.spawn_failed = true;
        result.error = fmt::format("`{}` could not start: {}", result.command, e.what());
        return finish();
    }

    std::string stdin_copy = options.stdin_text.value_or("");
    if (options.stdin_text) {
        boost::asio::async_write(in_pipe, boost::asio::buffer(stdin_copy),
                                 [&in_pipe](const boost::system::error_code&, std::size_t) {
                                     boost::system::error_code ignored;
                                     in_pipe.close(ignored);
                                 });
    }
    out->start();
    err->start();

    const auto deadline = started + timeout;
    constexpr auto grandchild_grace = std::chrono::milliseconds(200);
    bool exited = false;
    Clock::time_point exited_at{};
    while (!(out->done && err->done)) {
        if (io.stopped()) io.restart();
        io.run_for(std::chrono::milliseconds(5));
        std::error_code ec;
        if (!exited && !child.running(ec)) {
            exited = true;
            exited_at = Clock::now();
        }
        if (Clock::now() >= deadline) break;
        // A grandchild may keep the pipes open after the child exited: stop reading after a short grace.
        if (exited && Clock::now() - exited_at >= grandchild_grace) break;
    }
    if (!exited) exited = wait_exit_until(child, deadline);

    if (!exited) {
        result.timed_out = true;
        const pid_t group = child.id();
        ::kill(-group, SIGTERM);
        if (!wait_exit_until(child, Clock::now() + options.kill_grace)) {
            ::kill(-group, SIGKILL);
            std::error_code ec;
            child.wait(ec);
        }
    }
    // Collect whatever is still buffered in the pipes (bounded).
    const auto drain_until = Clock::now() + std::chrono::milliseconds(200);
    while (!(out->done && err->done) && Clock::now() < drain_until) {
        if (io.stopped()) io.restart();
        io.run_for(std::chrono::milliseconds(5));
    }
    fill_exit_status(child, result);
    result.out = std::move(out->sink);
    result.err = std::move(err->sink);
    result.truncated = out->truncated || err->truncated;
    if (result.timed_out) result.error = fmt::format("`{}` timed out after {} ms (killed)", result.command, timeout.count());
    return finish();
}

}  // namespace sea::probes

// run_process: output capture, exit codes, timeouts, missing binaries, large output, stdin/env/cwd.
#include "sea/probes/process.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

using namespace std::chrono_literals;
using sea::probes::ProcessOptions;
using sea::probes::run_process;

TEST(FixturesProcess, EchoCapturesStdout) {
    const auto r = run_process({"echo", "hello", "world"}, 5s);
    EXPECT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(r.out, "hello world\n");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_FALSE(r.timed_out);
    EXPECT_FALSE(r.spawn_failed);
    EXPECT_TRUE(r.error.empty());
    EXPECT_GT(r.elapsed.count(), 0);
}

TEST(FixturesProcess, NonZeroExitCodeIsReportedNotThrown) {
    const auto r = run_process({"sh", "-c", "exit 7"}, 5s);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.error.find("exited with code 7"), std::string::npos) << r.error;
}

TEST(FixturesProcess, StderrIsSeparate) {
    const auto r = run_process({"sh", "-c", "echo out; echo oops >&2; exit 3"}, 5s);
    EXPECT_EQ(r.out, "out\n");
    EXPECT_EQ(r.err, "oops\n");
    EXPECT_NE(r.describe().find("oops"), std::string::npos) << r.describe();
}

TEST(FixturesProcess, TimeoutKillsAndReapsWithinBudget) {
    const auto start = std::chrono::steady_clock::now();
    const auto r = run_process({"sleep", "10"}, 200ms);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(r.timed_out);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.term_signal, SIGTERM);
    EXPECT_GE(took, 200ms);
    EXPECT_LT(took, 1500ms);
    EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
}

TEST(FixturesProcess, TimeoutEscalatesToSigkillWhenTermIsIgnored) {
    ProcessOptions options;
    options.kill_grace = 200ms;
    const auto r = run_process({"sh", "-c", "trap '' TERM; sleep 10"}, 200ms, options);
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.term_signal, SIGKILL);
    EXPECT_LT(r.elapsed, 2s);
}

TEST(FixturesProcess, MissingBinaryIsSpawnFailure) {
    const auto r = run_process({"sea-no-such-binary-xyz", "--help"}, 5s);
    EXPECT_TRUE(r.spawn_failed);
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.error.find("sea-no-such-binary-xyz"), std::string::npos) << r.error;
    const auto abs = run_process({"/nonexistent/dir/tool"}, 5s);
    EXPECT_TRUE(abs.spawn_failed) << abs.describe();
    const auto empty = run_process({}, 5s);
    EXPECT_TRUE(empty.spawn_failed);
}

TEST(FixturesProcess, LargeOutputOnBothStreamsDoesNotDeadlock) {
    // 8 MiB on stdout and 2 MiB on stderr, far beyond the 64 KiB pipe buffers.
    const auto r = run_process({"sh", "-c", "head -c 8388608 /dev/zero; head -c 2097152 /dev/zero >&2"}, 20s);
    ASSERT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(r.out.size(), 8388608u);
    EXPECT_EQ(r.err.size(), 2097152u);
    EXPECT_FALSE(r.truncated);
}

TEST(FixturesProcess, OutputBeyondTheCapIsDiscarded) {
    ProcessOptions options;
    options.max_output_bytes = 1000;
    const auto r = run_process({"head", "-c", "100000", "/dev/zero"}, 10s, options);
    EXPECT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(r.out.size(), 1000u);
    EXPECT_TRUE(r.truncated);
}

TEST(FixturesProcess, StdinEnvAndWorkingDirectory) {
    ProcessOptions options;
    options.stdin_text = "line one\nline two\n";
    options.env["SEA_TEST_VALUE"] = "forty-two";
    options.working_dir = std::filesystem::temp_directory_path();
    const auto r = run_process({"sh", "-c", "wc -l; echo $SEA_TEST_VALUE; pwd"}, 5s, options);
    ASSERT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(r.out, "2\nforty-two\n" + std::filesystem::temp_directory_path().string() + "\n");
}

TEST(FixturesProcess, GrandchildHoldingThePipeDoesNotBlockUntilTimeout) {
    const auto r = run_process({"sh", "-c", "sleep 5 & echo started"}, 3s);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_LT(r.elapsed, 1500ms);
}

TEST(FixturesProcess, FormatArgvQuotesOnlyWhenNeeded) {
    EXPECT_EQ(sea::probes::format_argv({"docker", "ps", "--format", "{{.ID}} x"}), "docker ps --format '{{.ID}} x'");
}

TEST(FixturesProcess, ChildInheritsOnlyStdio) {
    const int leaked = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
    ASSERT_GE(leaked, 3);
    const auto r = run_process({"sh", "-c", "ls /proc/$$/fd"}, 5s);
    ::close(leaked);
    ASSERT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(r.out.find("\n" + std::to_string(leaked) + "\n"), std::string::npos) << r.out;
}

// Interference matrix: while a scenario is in its fault window, a user
//   1. starts a second scenario run (it waits for the machine lock) and presses Ctrl-C on it (SIGINT),
//   2. runs `just heal --now`,
//   3. starts another scenario run that stays (waits for the lock, then runs after the first one),
//   4. runs `just heal` (waits for the lock too).
// The running scenario still passes, every time; the signalled run exits 130 having healed nothing; `heal --now`
// names the live run it left alone; the later run and the waiting heal succeed; nobody leaves anything behind.
// Every scenario is the running one once (and the later run of another). Interferences start at the scenario's
// "fault inject" line; each prints one "INTERFERENCE-MATRIX" line saying whether it was done before the
// scenario's heal began (inside the fault window) — the README's Reliability figures.
#include "chaos_run.hpp"

#include <gtest/gtest.h>

namespace {

using namespace sea::stacktest;

struct Case {
    const char* running;  // the scenario in its fault window
    const char* later;    // the second run started during it
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.running << " + " << c.later; }  // ctest lists names, not bytes

class InterferenceMatrix : public ::testing::TestWithParam<Case> {
protected:
    std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                                 ("sea-interference-" + std::to_string(::getpid()) + "-" + GetParam().running);
};

TEST_P(InterferenceMatrix, RunningScenarioPassesWhateverHappensBesideIt) {
    const auto& c = GetParam();
    std::filesystem::create_directories(dir_);
    ChaosRun running(c.running, dir_ / "running.log");
    ASSERT_TRUE(running.wait_for("fault inject ", 300s)) << c.running << " never injected its fault:\n" << running.tail();
    const auto run_id = fmt::format("local-{}-", running.pid());
    const std::string heal_began = std::string(c.running) + ": healing ";  // ScenarioTest::heal, not the ledger's
    std::vector<std::string> landed;
    auto note = [&](const std::string& what) {
        landed.push_back(what + (running.printed(heal_began) ? " (done after the heal began)" : " (done in the fault window)"));
    };
    const std::vector<std::string> just_heal{"/usr/bin/env", "just", "--justfile", (sea::fixtures::repo_root() / "justfile").string(), "heal"};
    auto with = [](std::vector<std::string> argv, const std::string& arg) { argv.push_back(arg); return argv; };

    // All four start at once, right at the fault: the fault windows of the restart scenarios last about a second.
    ChaosRun waiting("opa_restart", dir_ / "waiting.log");
    const auto heal_now_log = dir_ / "heal-now.log";
    const pid_t heal_now = testsupport::spawn_process(with(just_heal, "--now"), heal_now_log.string());
    ChaosRun later(c.later, dir_ / "later.log");
    const auto heal_log = dir_ / "heal.log";
    const pid_t heal = testsupport::spawn_process(just_heal, heal_log.string());

    // 1. The second run waits for the lock; Ctrl-C on it heals nothing of the running scenario.
    ASSERT_TRUE(waiting.wait_for("waiting for another sea-chaos stack", 60s)) << waiting.tail();
    waiting.signal(SIGINT);
    EXPECT_EQ(waiting.wait(30s), 128 + SIGINT) << waiting.tail();
    EXPECT_TRUE(waiting.printed("healing this run's own fault (it has none)")) << waiting.tail();
    note("SIGINT to a waiting run");

    // 2. `just heal --now` does not wait and leaves the live run alone, saying so.
    EXPECT_EQ(testsupport::wait_for_exit(heal_now, 120s), 0) << testsupport::read_file(heal_now_log.string());
    const auto heal_now_text = testsupport::read_file(heal_now_log.string());
    EXPECT_NE(heal_now_text.find("left alone: "), std::string::npos) << heal_now_text;
    EXPECT_NE(heal_now_text.find(run_id), std::string::npos) << "the live run " << run_id << " is named:\n" << heal_now_text;
    note("just heal --now");

    // 3. and 4. The later scenario run and `just heal` wait for the lock.
    ASSERT_TRUE(later.wait_for("waiting for another sea-chaos stack", 60s)) << later.tail();
    note(std::string("second run (") + c.later + ") waiting");
    note("just heal started (waits for the lock)");

    const auto code = running.wait(600s);
    EXPECT_EQ(code, 0) << c.running << " failed beside the interference:\n" << running.tail(6000);
    EXPECT_TRUE(running.printed("[  PASSED  ] 1 test")) << running.tail(3000);
    EXPECT_EQ(later.wait(600s), 0) << "the later run failed:\n" << later.tail(6000);
    EXPECT_EQ(testsupport::wait_for_exit(heal, 600s), 0) << testsupport::read_file(heal_log.string());
    EXPECT_NE(testsupport::read_file(heal_log.string()).find("waiting for the running sea-chaos run"), std::string::npos)
        << testsupport::read_file(heal_log.string());

    for (const auto& [scenario, pid] : std::vector<std::pair<std::string, pid_t>>{
             {c.running, running.pid()}, {"opa_restart", waiting.pid()}, {c.later, later.pid()}}) {
        const auto left = leftovers_of(scenario, pid);
        EXPECT_TRUE(left.empty()) << scenario << " run " << pid << " left:" << joined(left);
    }
    for (const auto& what : landed) {
        std::printf("INTERFERENCE-MATRIX %s: %s; %s %s\n", c.running, what.c_str(), c.running, code == 0 ? "passed" : "FAILED");
    }
    std::fflush(stdout);
    if (!HasFailure()) std::filesystem::remove_all(dir_);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, InterferenceMatrix,
                         ::testing::Values(Case{"nats_partition_mesh", "opa_restart"}, Case{"opa_restart", "openobserve_stall"},
                                           Case{"openobserve_stall", "postgres_restart_outbox"},
                                           Case{"postgres_restart_outbox", "nats_partition_mesh"}),
                         [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.running); });

}  // namespace

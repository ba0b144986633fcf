// Crash matrix: a chaos run SIGKILLed at each phase of its life — waiting for the machine lock, 0.2 / 0.5 / 1 s
// into `compose up`, in the steady-state check, during the injection, in the fault window, during the heal, during
// teardown — leaves nothing once the next run or `just heal` has been: no container (running, paused or exited),
// network or volume of its project, no fault-ledger entry, no DROP rule of its run in any container's namespace,
// no compose process still working on its project, no sea-stack-* work dir. And the next run passes.
//
// Each scenario gets a sample of the phases (every phase is covered across the four), recovered alternately by
// `just heal` and by the next run's own SetUp; each scenario's list ends with a run that must pass. A kill is
// aimed at the scenario's own log lines (fixtures/src/log.cpp: one timestamped line per phase and fault step),
// polled every 10 ms. Every kill prints one "CRASH-MATRIX" line (the README's Reliability figures).
#include "chaos_run.hpp"

#include "sea/fixtures/machine_lock.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace {

using namespace sea::stacktest;
using sea::fixtures::MachineLock;

enum class Phase { lock_wait, up_200ms, up_500ms, up_1s, steady, injection, fault_window, heal, teardown };
enum class Recovery { just_heal, next_run };

struct PhaseInfo {
    const char* name;
    const char* line;                 // the run's log line that starts the phase
    std::chrono::milliseconds after;  // kill this long after the line was seen
    const char* done_line;            // printed when the phase is over ("" = n/a): did the kill land inside?
};

PhaseInfo info(Phase p) {
    switch (p) {
        case Phase::lock_wait: return {"lock-wait", "waiting for another sea-chaos stack", 0ms, ""};
        case Phase::up_200ms: return {"bring-up+0.2s", " file(s), compose v", 200ms, " ready: "};
        case Phase::up_500ms: return {"bring-up+0.5s", " file(s), compose v", 500ms, " ready: "};
        case Phase::up_1s: return {"bring-up+1s", " file(s), compose v", 1000ms, " ready: "};
        case Phase::steady: return {"steady-state", " ready: ", 0ms, ""};
        case Phase::injection: return {"injection", "fault inject ", 0ms, "took "};
        case Phase::fault_window: return {"fault-window", ": fault verified: ", 0ms, ": healing "};
        case Phase::heal: return {"heal", ": healing ", 0ms, "fault heal "};
        case Phase::teardown: return {"teardown", ": teardown: taking stack", 0ms, " down\n"};
    }
    return {"?", "?", 0ms, ""};
}

struct Kill {
    Phase phase;
    Recovery recovery;
};

struct Plan {
    const char* scenario;
    std::vector<Kill> kills;
};

void PrintTo(const Plan& plan, std::ostream* os) { *os << plan.scenario; }  // ctest lists the scenario, not bytes

class CrashMatrix : public ::testing::TestWithParam<Plan> {
protected:
    std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                                 ("sea-crash-matrix-" + std::to_string(::getpid()) + "-" + GetParam().scenario);
};

TEST_P(CrashMatrix, KilledAtEveryPhaseLeavesNothingAndTheNextRunPasses) {
    const auto& plan = GetParam();
    std::filesystem::create_directories(dir_);
    std::vector<pid_t> killed;
    int step = 0;
    for (const auto& kill : plan.kills) {
        auto phase = info(kill.phase);
        // "<scenario>: healing ..." (ScenarioTest::heal), not the ledger's "healing leftover ..." in SetUp.
        const std::string trigger = std::string(phase.line).starts_with(": ") ? plan.scenario + std::string(phase.line) : phase.line;
        phase.line = trigger.c_str();
        const auto log = dir_ / fmt::format("{}-{}.log", ++step, phase.name);
        std::unique_ptr<MachineLock> held;  // lock wait: this test holds the machine lock while the run waits for it
        if (kill.phase == Phase::lock_wait) held = std::make_unique<MachineLock>();
        ChaosRun run(plan.scenario, log);
        // Bring-up of the mesh takes up to a minute on this machine; 300 s bounds any phase on a loaded one.
        ASSERT_TRUE(run.wait_for(phase.line, 300s)) << plan.scenario << " never reached " << phase.name << ":\n" << run.tail();
        const auto seen = Clock::now();
        if (phase.after.count() > 0) std::this_thread::sleep_for(phase.after);  // the kill offset IS the test parameter
        run.signal(SIGKILL);
        const auto killed_after = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - seen).count();
        ASSERT_EQ(run.wait(10s), 128 + SIGKILL);
        killed.push_back(run.pid());
        held.reset();
        const bool inside = phase.done_line[0] == '\0' || !run.printed_after(phase.line, phase.done_line);
        const auto left = leftovers_of(plan.scenario, run.pid());
        if (kill.phase == Phase::lock_wait) {
            EXPECT_TRUE(left.empty()) << "a run waiting for the lock owns nothing, yet:" << joined(left);
        } else {
            // From its Stack on, a run owns at least its work dir: nothing left means the kill missed its phase.
            EXPECT_FALSE(left.empty()) << "the kill at " << phase.name << " left nothing to recover:\n" << run.tail();
        }

        std::string recovered_by = "the next run";
        if (kill.recovery == Recovery::just_heal) {
            const auto t0 = Clock::now();
            const auto heal_log = dir_ / fmt::format("{}-heal.log", step);
            EXPECT_EQ(run_heal({}, heal_log), 0) << testsupport::read_file(heal_log.string());
            recovered_by = fmt::format("just heal ({} ms)", std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
            const auto after = leftovers_of(plan.scenario, run.pid());
            EXPECT_TRUE(after.empty()) << "after `just heal`, killed at " << phase.name << ":" << joined(after) << "\n"
                                       << testsupport::read_file(heal_log.string());
        }
        std::printf("CRASH-MATRIX %s %s: SIGKILL %lld ms after \"%s\"%s; left %zu object(s); recovered by %s\n", plan.scenario,
                    phase.name, static_cast<long long>(killed_after), phase.line, inside ? "" : " (landed after the phase ended)",
                    left.size(), recovered_by.c_str());
        std::fflush(stdout);
    }

    ChaosRun next(plan.scenario, dir_ / "next-run.log");
    const auto code = next.wait(600s);
    EXPECT_EQ(code, 0) << "the run after the kills failed:\n" << next.tail(6000);
    EXPECT_TRUE(next.printed("[  PASSED  ] 1 test")) << next.tail(3000);
    killed.push_back(next.pid());
    for (const pid_t pid : killed) {
        const auto left = leftovers_of(plan.scenario, pid);
        EXPECT_TRUE(left.empty()) << "run " << pid << " left:" << joined(left);
    }
    std::printf("CRASH-MATRIX %s: next run %s, %zu killed run(s) and the next run left nothing\n", plan.scenario,
                code == 0 ? "passed" : "FAILED", killed.size() - 1);
    if (!HasFailure()) std::filesystem::remove_all(dir_);
}

// Every phase at least once across the four; each list ends with a kill recovered by the next (passing) run.
INSTANTIATE_TEST_SUITE_P(
    Phases, CrashMatrix,
    ::testing::Values(
        Plan{"opa_restart", {{Phase::lock_wait, Recovery::just_heal}, {Phase::up_200ms, Recovery::next_run},
                             {Phase::injection, Recovery::just_heal}, {Phase::teardown, Recovery::next_run}}},
        Plan{"openobserve_stall", {{Phase::up_500ms, Recovery::just_heal}, {Phase::fault_window, Recovery::next_run},
                                   {Phase::heal, Recovery::next_run}}},
        Plan{"postgres_restart_outbox", {{Phase::up_1s, Recovery::next_run}, {Phase::steady, Recovery::just_heal},
                                         {Phase::injection, Recovery::next_run}}},
        Plan{"nats_partition_mesh", {{Phase::steady, Recovery::next_run}, {Phase::fault_window, Recovery::just_heal},
                                     {Phase::heal, Recovery::next_run}}}),
    [](const ::testing::TestParamInfo<Plan>& p) { return std::string(p.param.scenario); });

}  // namespace

// A fault whose injection fails ends like any failed test: one gtest failure naming the fault, the fault
// healed (its ledger entry gone), the timeline written, the stack torn down — never a crash. (The fault used to
// live in the test body: when ASSERT_TRUE(inject(...)) returned early, TearDown healed it through a dangling
// pointer and the process died of SIGSEGV, leaving the stack up and no timeline.)
// The mesh partition with a failing `iptables` first on PATH (present, so the up-front input check passes; it
// exits 4): `nsenter ... iptables -I` fails after the ledger record, as a missing or broken iptables does.
#include "chaos_run.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include <sys/stat.h>

namespace {

using namespace sea::stacktest;

TEST(FailedInjection, EndsInAGtestFailureWithTheFaultHealedTimelineWrittenAndStackDown) {
    const auto bin = std::filesystem::temp_directory_path() / ("sea-failing-iptables-" + std::to_string(::getpid()));
    std::filesystem::create_directories(bin);
    std::ofstream(bin / "iptables") << "#!/bin/sh\necho 'iptables: simulated failure (failed_injection_test)' >&2\nexit 4\n";
    ::chmod((bin / "iptables").c_str(), 0755);
    const std::string path = bin.string() + ":" + sea::fixtures::env_or("PATH", "/usr/local/bin:/usr/bin:/bin");
    const auto timeline = sea::fixtures::build_root() / "chaos-artifacts" / "NatsPartitionMesh.AckedMessagesReachMirrorExactlyOnce" / "timeline.json";
    std::filesystem::remove(timeline);
    const auto log = std::filesystem::temp_directory_path() / ("sea-failed-injection-" + std::to_string(::getpid()) + ".log");
    ChaosRun run("nats_partition_mesh", log, {{"PATH", path}});
    const auto code = run.wait(600s);
    EXPECT_EQ(code, 1) << "a gtest failure (exit 1), not a crash (139 = SIGSEGV):\n" << run.tail(6000);
    EXPECT_TRUE(run.printed("FAULT INJECTION FAILED (IptablesPartition sea-nats-a-1")) << run.tail(4000);
    EXPECT_TRUE(run.printed("iptables: simulated failure")) << run.tail(4000);
    EXPECT_TRUE(run.printed("fault heal IptablesPartition sea-nats-a-1")) << run.tail(4000);
    EXPECT_TRUE(std::filesystem::exists(timeline)) << timeline;
    const auto left = leftovers_of("nats_partition_mesh", run.pid());
    EXPECT_TRUE(left.empty()) << "left:" << joined(left);
    std::printf("FAILED-INJECTION exit %d; timeline %s; left %zu object(s)\n", code.value_or(-1),
                std::filesystem::exists(timeline) ? "written" : "MISSING", left.size());
    std::filesystem::remove(log);
    std::filesystem::remove_all(bin);
}

// A SetUp failure is fatal: gtest runs the body after a NON-fatal failure in SetUp, and a body that runs on a stack
// that never got steady injects its fault there. A gateway that exits at once (override: entrypoint /bin/false)
// makes opa_restart's bring-up fail; the run must end in STACK NOT STEADY with no fault injected, a timeline whose
// outcome names the kind, and nothing left.
TEST(FailedInjection, AStackThatNeverGetsSteadyNeverMeetsItsFault) {
    const auto dir = std::filesystem::temp_directory_path() / ("sea-never-steady-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "gateway-exits.yml") << "services:\n  policy-gateway:\n    entrypoint: [\"/bin/false\"]\n";
    const auto timeline = sea::fixtures::build_root() / "chaos-artifacts" / "OpaRestart.GatewayFailsClosedAndRecovers" / "timeline.json";
    std::filesystem::remove(timeline);
    ChaosRun run("opa_restart", dir / "run.log", {{"CHAOS_COMPOSE_OVERRIDES", (dir / "gateway-exits.yml").string()}});
    const auto code = run.wait(300s);
    EXPECT_EQ(code, 1) << run.tail(6000);
    EXPECT_TRUE(run.printed("STACK NOT STEADY (bring-up of opa_restart)")) << run.tail(4000);
    EXPECT_FALSE(run.printed("fault inject")) << "the body ran after a failed SetUp:\n" << run.tail(4000);
    ASSERT_TRUE(std::filesystem::exists(timeline)) << timeline;
    std::ifstream in(timeline);
    const auto j = nlohmann::json::parse(in);
    EXPECT_EQ(j["outcome"]["status"], "failed");
    EXPECT_EQ(j["outcome"]["failures"][0]["kind"], "stack-not-steady");
    EXPECT_TRUE(j["fault"]["inject_start_ms"].is_null());
    EXPECT_TRUE(j["verdicts"].empty());
    const auto left = leftovers_of("opa_restart", run.pid());
    EXPECT_TRUE(left.empty()) << "left:" << joined(left);
    std::filesystem::remove_all(dir);
}

}  // namespace

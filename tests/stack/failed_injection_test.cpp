// A fault whose injection fails ends like any failed test: one gtest failure naming the fault, the fault
// healed (its ledger entry gone), the timeline written, the stack torn down — never a crash. (The fault used to
// live in the test body: when ASSERT_TRUE(inject(...)) returned early, TearDown healed it through a dangling
// pointer and the process died of SIGSEGV, leaving the stack up and no timeline.)
// The mesh partition with a failing `iptables` first on PATH (present, so the up-front input check passes; it
// exits 4): `nsenter ... iptables -I` fails after the ledger record, as a missing or broken iptables does.
#include "chaos_run.hpp"

#include <gtest/gtest.h>

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

}  // namespace

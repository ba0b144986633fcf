// A fault whose injection fails ends like any failed test: one gtest failure naming the fault, the fault
// healed (its ledger entry gone), the timeline written, the stack torn down — never a crash. (The fault used to
// live in the test body: when ASSERT_TRUE(inject(...)) returned early, TearDown healed it through a dangling
// pointer and the process died of SIGSEGV, leaving the stack up and no timeline.)
// The mesh partition with iptables missing from PATH: `nsenter ... iptables` fails after the ledger record.
#include "chaos_run.hpp"

#include <gtest/gtest.h>

namespace {

using namespace sea::stacktest;

TEST(FailedInjection, EndsInAGtestFailureWithTheFaultHealedTimelineWrittenAndStackDown) {
    const std::string path = "/usr/local/bin:/usr/bin:/bin";  // iptables lives in /usr/sbin on Debian
    for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin"}) {
        if (std::filesystem::exists(std::filesystem::path(dir) / "iptables")) GTEST_SKIP() << "iptables is in " << dir << " on this machine";
    }
    const auto timeline = sea::fixtures::build_root() / "chaos-artifacts" / "NatsPartitionMesh.AckedMessagesReachMirrorExactlyOnce" / "timeline.json";
    std::filesystem::remove(timeline);
    const auto log = std::filesystem::temp_directory_path() / ("sea-failed-injection-" + std::to_string(::getpid()) + ".log");
    ChaosRun run("nats_partition_mesh", log, {{"PATH", path}});
    const auto code = run.wait(600s);
    EXPECT_EQ(code, 1) << "a gtest failure (exit 1), not a crash (139 = SIGSEGV):\n" << run.tail(6000);
    EXPECT_TRUE(run.printed("FAULT INJECTION FAILED (IptablesPartition sea-nats-a-1")) << run.tail(4000);
    EXPECT_TRUE(run.printed("failed to execute iptables")) << run.tail(4000);
    EXPECT_TRUE(run.printed("fault heal IptablesPartition sea-nats-a-1")) << run.tail(4000);
    EXPECT_TRUE(std::filesystem::exists(timeline)) << timeline;
    const auto left = leftovers_of("nats_partition_mesh", run.pid());
    EXPECT_TRUE(left.empty()) << "left:" << joined(left);
    std::printf("FAILED-INJECTION exit %d; timeline %s; left %zu object(s)\n", code.value_or(-1),
                std::filesystem::exists(timeline) ? "written" : "MISSING", left.size());
    std::filesystem::remove(log);
}

}  // namespace

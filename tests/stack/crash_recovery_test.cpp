// A chaos run killed with SIGKILL in the middle of its fault leaves the fault in place (a stopped container,
// a DROP rule) and its stack up. The next run must heal both from the fault ledger, remove the dead run's stack,
// and pass; afterwards nothing of the suite is left on the machine.
#include "sea/fixtures/docker.hpp"
#include "sea/fixtures/eventually.hpp"
#include "sea/fixtures/fault_ledger.hpp"
#include "sea/testsupport/subprocess.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

using namespace std::chrono_literals;
using sea::fixtures::Deadline;
using sea::fixtures::Observation;

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Case {
    const char* binary;
    const char* container;  // the container the fault hits
    const char* fault_kind;
};

class CrashRecovery : public ::testing::TestWithParam<Case> {};

TEST_P(CrashRecovery, SigkillMidFaultIsHealedByTheNextRun) {
    const auto& c = GetParam();
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("sea-crash-{}-{}", ::getpid(), c.container);
    std::filesystem::create_directories(dir);
    const auto first_log = (dir / "first.log").string();

    const pid_t first = sea::testsupport::spawn_process({c.binary}, first_log);
    // Bring-up plus steady state takes 10–40 s here; 180 s bounds it on a loaded machine.
    const auto verified = sea::fixtures::eventually("first run reports its fault verified", Deadline::in(180s), [&] {
        const auto log = read_file(first_log);
        return Observation(log.find("fault verified") != std::string::npos, log.substr(log.size() > 300 ? log.size() - 300 : 0));
    });
    ASSERT_TRUE(verified.met) << verified.failure_message();
    ASSERT_EQ(::kill(first, SIGKILL), 0);
    ASSERT_TRUE(sea::testsupport::wait_for_exit(first, 10s).has_value());

    // The damage is real and recorded: the ledger holds the fault and the stack is still up.
    const auto entries = sea::fixtures::FaultLedger::process_default().entries();
    EXPECT_TRUE(std::any_of(entries.begin(), entries.end(), [&](const auto& e) { return e.container == c.container && e.kind == c.fault_kind; }))
        << "no ledger entry for " << c.fault_kind << " " << c.container;
    EXPECT_FALSE(sea::fixtures::split_lines(sea::fixtures::docker({"ps", "-aq", "--filter", "label=sea.chaos.suite=sea-chaos"}).out).empty());

    const auto second_log = (dir / "second.log").string();
    const int second = sea::testsupport::run_command({c.binary}, second_log, 600s);
    const auto log = read_file(second_log);
    EXPECT_EQ(second, 0) << sea::testsupport::file_tail(second_log, 4000);
    EXPECT_NE(log.find("left by an earlier run"), std::string::npos) << "the second run did not heal the ledger:\n" << log.substr(0, 3000);
    EXPECT_NE(log.find("leftover stack"), std::string::npos) << "the second run did not remove the dead run's stack:\n" << log.substr(0, 3000);

    // Nothing of the suite is left: no container, no ledger entry.
    EXPECT_TRUE(sea::fixtures::split_lines(sea::fixtures::docker({"ps", "-aq", "--filter", "label=sea.chaos.suite=sea-chaos"}).out).empty());
    EXPECT_TRUE(sea::fixtures::FaultLedger::process_default().entries().empty());
    std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Faults, CrashRecovery,
                         ::testing::Values(Case{SEA_CHAOS_OPENOBSERVE_STALL_BIN, "sea-openobserve", "ContainerStop"},
                                           Case{SEA_CHAOS_NATS_PARTITION_MESH_BIN, "sea-nats-a-1", "IptablesPartition"}),
                         [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.fault_kind); });

}  // namespace

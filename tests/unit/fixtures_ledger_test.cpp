// FaultLedger + Fault base with a fake fault kind: record-before-inject, heal removes, leftovers healed,
// concurrent writers, corrupt files, log line format.
#include "sea/fixtures/fault.hpp"
#include "sea/fixtures/fault_ledger.hpp"
#include "sea/fixtures/log.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <thread>

using namespace sea::fixtures;

namespace {

// The "world" the fake fault acts on: which targets are currently broken.
std::set<std::string>& broken() {
    static std::set<std::string> targets;
    return targets;
}

class FakeFault final : public Fault {
public:
    FakeFault(std::string target, FaultOptions options, bool fail_inject = false)
        : Fault(std::move(options)), target_(std::move(target)), fail_inject_(fail_inject) {}
    std::string kind() const override { return "FakeFault"; }
    std::string target() const override { return target_; }
    void inject() override {
        record_before_inject("fake-id");
        entries_when_injecting = ledger().entries().size();
        if (fail_inject_) throw FaultError("fake inject failed half way");
        broken().insert(target_);
    }
    void heal() noexcept override {
        broken().erase(target_);
        forget_after_heal();
    }
    bool verify_injected(std::string& evidence) override {
        evidence = broken().contains(target_) ? "broken" : "fine";
        return broken().contains(target_);
    }
    std::size_t entries_when_injecting = 0;

protected:
    nlohmann::json ledger_spec() const override { return {{"detail", 42}}; }

private:
    std::string target_;
    bool fail_inject_;
};

class FixturesLedger : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("sea-ledger-" + std::to_string(::getpid()) + "-" +
                                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        file_ = dir_ / "fault-ledger.json";
        broken().clear();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_, file_;
};

}  // namespace

TEST_F(FixturesLedger, EntryIsRecordedBeforeInjectAndRemovedByHeal) {
    FaultLedger ledger(file_);
    FakeFault fault("svc-a", {&ledger, "run-1"});
    fault.inject();
    EXPECT_EQ(fault.entries_when_injecting, 1u);
    const auto entries = ledger.entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].kind, "FakeFault");
    EXPECT_EQ(entries[0].container, "svc-a");
    EXPECT_EQ(entries[0].container_id, "fake-id");
    EXPECT_EQ(entries[0].run_id, "run-1");
    EXPECT_EQ(entries[0].spec["detail"], 42);
    EXPECT_TRUE(entries[0].recorded_at.ends_with("Z"));
    std::string evidence;
    EXPECT_TRUE(fault.verify_injected(evidence));
    fault.heal();
    EXPECT_TRUE(ledger.entries().empty());
    EXPECT_FALSE(fault.verify_injected(evidence));
    fault.heal();  // idempotent
    EXPECT_TRUE(ledger.entries().empty());
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
        EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
    }
}

TEST_F(FixturesLedger, FaultGuardHealsOnScopeExitEvenWhenTheTestThrows) {
    FaultLedger ledger(file_);
    FakeFault fault("svc-b", {&ledger, "run-2"});
    try {
        const FaultGuard guard(fault);
        EXPECT_TRUE(broken().contains("svc-b"));
        throw std::runtime_error("assertion helper threw");
    } catch (const std::runtime_error&) {
    }
    EXPECT_FALSE(broken().contains("svc-b"));
    EXPECT_TRUE(ledger.entries().empty());
}

TEST_F(FixturesLedger, FailedInjectLeavesTheEntryForHealAllRecorded) {
    {
        FaultLedger ledger(file_);
        FakeFault fault("svc-c", {&ledger, "crashed-run"}, /*fail_inject=*/true);
        EXPECT_THROW(fault.inject(), FaultError);
        broken().insert("svc-c");  // the half-done fault is still in the world; the run "crashes" here
    }
    FaultLedger next_run(file_);
    next_run.register_kind("FakeFault", [](const LedgerEntry& e, FaultLedger& l) -> std::unique_ptr<Fault> {
        return std::make_unique<FakeFault>(e.container, FaultOptions{&l, e.run_id});
    });
    const auto report = next_run.heal_all_recorded();
    EXPECT_EQ(report.healed, 1);
    EXPECT_TRUE(report.problems.empty());
    EXPECT_FALSE(broken().contains("svc-c"));
    EXPECT_TRUE(next_run.entries().empty());
}

TEST_F(FixturesLedger, UnknownKindsStayAndAreReported) {
    FaultLedger ledger(file_);
    ledger.record(LedgerEntry{"", "MysteryFault", "svc-d", "", nlohmann::json::object(), "r", ""});
    const auto report = ledger.heal_all_recorded();
    EXPECT_EQ(report.healed, 0);
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_NE(report.problems[0].find("unknown fault kind 'MysteryFault'"), std::string::npos) << report.problems[0];
    EXPECT_EQ(ledger.entries().size(), 1u);
}

TEST_F(FixturesLedger, NoFileMeansNothingToHeal) {
    FaultLedger ledger(file_);
    EXPECT_TRUE(ledger.entries().empty());
    EXPECT_EQ(ledger.heal_all_recorded().healed, 0);
    EXPECT_FALSE(ledger.remove("nope"));
}

TEST_F(FixturesLedger, ConcurrentWritersThroughSeparateHandlesLoseNothing) {
    constexpr int kThreads = 4, kEach = 25;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([this, t] {
            FaultLedger mine(file_);  // own file descriptors: the flock is what serialises us
            for (int i = 0; i < kEach; ++i) {
                mine.record(LedgerEntry{"", "FakeFault", "t" + std::to_string(t) + "-" + std::to_string(i), "", {}, "r", ""});
            }
        });
    }
    for (auto& th : threads) th.join();
    FaultLedger reader(file_);
    const auto entries = reader.entries();
    EXPECT_EQ(entries.size(), static_cast<std::size_t>(kThreads * kEach));
    std::set<std::string> ids;
    for (const auto& e : entries) ids.insert(e.id);
    EXPECT_EQ(ids.size(), entries.size());
}

TEST_F(FixturesLedger, CorruptFileIsAnErrorNamingThePath) {
    std::filesystem::create_directories(dir_);
    std::ofstream(file_) << "{ not json";
    FaultLedger ledger(file_);
    try {
        (void)ledger.entries();
        FAIL() << "expected LedgerError";
    } catch (const LedgerError& e) {
        EXPECT_NE(std::string(e.what()).find(file_.string()), std::string::npos) << e.what();
    }
    FakeFault fault("svc-e", {&ledger, "r"});
    EXPECT_THROW(fault.inject(), FaultError);  // never injects without a record
    EXPECT_FALSE(broken().contains("svc-e"));
}

TEST_F(FixturesLedger, EveryFaultStepLogsOneTimestampedLine) {
    FaultLedger ledger(file_);
    FakeFault fault("sea-opa", {&ledger, "r"});
    ::testing::internal::CaptureStderr();
    fault.inject();
    fault.heal();
    const std::string err = ::testing::internal::GetCapturedStderr();
    const std::regex line(R"(\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] fault (inject|heal) FakeFault sea-opa\n)");
    EXPECT_EQ(std::distance(std::sregex_iterator(err.begin(), err.end(), line), std::sregex_iterator()), 2) << err;
}

TEST(FixturesLog, IsoTimestampHasMillisecondsAndZ) {
    const auto epoch_plus = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
    EXPECT_EQ(iso8601_utc_ms(epoch_plus), "2023-11-14T22:13:20.123Z");
}

TEST(FixturesRunId, IsStableAndSafe) {
    const auto id = current_run_id();
    EXPECT_EQ(id, current_run_id());
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"), std::string::npos) << id;
}

// FaultLedger + Fault base with a fake fault kind: record-before-inject, heal removes, leftovers healed,
// concurrent writers, corrupt files, log line format.
#include "sea/fixtures/fault.hpp"
#include "sea/fixtures/fault_ledger.hpp"
#include "sea/fixtures/log.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

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

TEST_F(FixturesLedger, FailedInjectLeavesTheEntryForTheNextRunOnceItsOwnerIsGone) {
    {
        FaultLedger ledger(file_);
        FakeFault fault("svc-c", {&ledger, "crashed-run"}, /*fail_inject=*/true);
        EXPECT_THROW(fault.inject(), FaultError);
        broken().insert("svc-c");  // the half-done fault is still in the world; the run "crashes" here
        // While its owner (this process) lives, nobody else heals it.
        EXPECT_EQ(ledger.heal_recorded(HealScope::orphaned).left_alone.size(), 1u);
        EXPECT_TRUE(broken().contains("svc-c"));
        // The crash: the owner's pid now names another process (a reused pid: same number, other start time).
        auto entry = ledger.entries().at(0);
        ledger.remove(entry.id);
        entry.owner = ProcessOwner{::getpid(), ProcessOwner::self().start_ticks + 1};
        ledger.record(entry);
    }
    FaultLedger next_run(file_);
    next_run.register_kind("FakeFault", [](const LedgerEntry& e, FaultLedger& l) -> std::unique_ptr<Fault> {
        return std::make_unique<FakeFault>(e.container, FaultOptions{&l, e.run_id});
    });
    const auto report = next_run.heal_recorded(HealScope::orphaned);
    EXPECT_EQ(report.healed, 1);
    EXPECT_TRUE(report.problems.empty());
    EXPECT_FALSE(broken().contains("svc-c"));
    EXPECT_TRUE(next_run.entries().empty());
}

TEST_F(FixturesLedger, UnknownKindsStayAndAreReported) {
    FaultLedger ledger(file_);
    ledger.record(LedgerEntry{"", "MysteryFault", "svc-d", "", nlohmann::json::object(), "r", ""});
    const auto report = ledger.heal_recorded(HealScope::orphaned);
    EXPECT_EQ(report.healed, 0);
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_NE(report.problems[0].find("unknown fault kind 'MysteryFault'"), std::string::npos) << report.problems[0];
    EXPECT_EQ(ledger.entries().size(), 1u);
}

TEST_F(FixturesLedger, NoFileMeansNothingToHeal) {
    FaultLedger ledger(file_);
    EXPECT_TRUE(ledger.entries().empty());
    EXPECT_EQ(ledger.heal_recorded(HealScope::orphaned).healed, 0);
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

namespace {

// A pid that was a process a moment ago and is gone now (forked, exited, reaped), with its real start time.
ProcessOwner a_dead_process() {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
    const pid_t child = ::fork();
    if (child == 0) {
        char c;
        (void)::read(pipe_fds[0], &c, 1);  // wait until the parent read our start time
        ::_exit(0);
    }
    const auto start = ProcessOwner::start_ticks_of(child);
    (void)::write(pipe_fds[1], "x", 1);
    ::waitpid(child, nullptr, 0);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return ProcessOwner{child, start.value_or(1)};
}

LedgerEntry fake_entry(const std::string& target, std::optional<ProcessOwner> owner) {
    LedgerEntry e{"", "FakeFault", target, "", nlohmann::json::object(), "run-of-" + target, ""};
    e.owner = owner;
    return e;
}

void register_fake(FaultLedger& ledger) {
    ledger.register_kind("FakeFault", [](const LedgerEntry& e, FaultLedger& l) -> std::unique_ptr<Fault> {
        return std::make_unique<FakeFault>(e.container, FaultOptions{&l, e.run_id});
    });
}

}  // namespace

TEST_F(FixturesLedger, EveryEntryNamesItsOwnerWithPidAndStartTime) {
    FaultLedger ledger(file_);
    FakeFault fault("svc-o", {&ledger, "r"});
    fault.inject();
    const auto entries = ledger.entries();
    ASSERT_EQ(entries.size(), 1u);
    ASSERT_TRUE(entries[0].owner.has_value());
    EXPECT_EQ(*entries[0].owner, ProcessOwner::self());
    EXPECT_GT(entries[0].owner->start_ticks, 0u);
    std::ifstream in(file_);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"start_ticks\""), std::string::npos) << text;
    fault.heal();
}

TEST_F(FixturesLedger, OrphanedScopeHealsDeadOwnersAndLeavesLiveOnesAlone) {
    FaultLedger ledger(file_);
    register_fake(ledger);
    const auto dead = a_dead_process();
    const ProcessOwner reused{::getpid(), ProcessOwner::self().start_ticks + 7};  // this pid, another start: not us
    const auto init = ProcessOwner{1, ProcessOwner::start_ticks_of(1).value_or(0)};  // a live process, not us
    for (const char* t : {"live-self", "live-init", "dead-child", "reused-pid", "no-owner"}) broken().insert(t);
    ledger.record(fake_entry("live-self", ProcessOwner::self()));
    ledger.record(fake_entry("live-init", init));
    ledger.record(fake_entry("dead-child", dead));
    ledger.record(fake_entry("reused-pid", reused));
    ledger.record(fake_entry("no-owner", std::nullopt));  // written by an older suite / by hand: counts as gone

    const auto report = ledger.heal_recorded(HealScope::orphaned);
    EXPECT_EQ(report.healed, 3);
    EXPECT_TRUE(report.problems.empty());
    ASSERT_EQ(report.left_alone.size(), 2u);
    EXPECT_TRUE(broken().contains("live-self"));
    EXPECT_TRUE(broken().contains("live-init"));
    EXPECT_FALSE(broken().contains("dead-child"));
    EXPECT_FALSE(broken().contains("reused-pid"));
    EXPECT_FALSE(broken().contains("no-owner"));
    EXPECT_EQ(ledger.entries().size(), 2u);
    EXPECT_NE(describe_live_entry(report.left_alone[0]).find("of live run run-of-live-"), std::string::npos)
        << describe_live_entry(report.left_alone[0]);
}

TEST_F(FixturesLedger, ThisProcessScopeHealsOnlyWhatThisProcessInjected) {
    FaultLedger ledger(file_);
    register_fake(ledger);
    const auto init = ProcessOwner{1, ProcessOwner::start_ticks_of(1).value_or(0)};
    for (const char* t : {"mine", "another-live-run", "a-dead-run"}) broken().insert(t);
    ledger.record(fake_entry("mine", ProcessOwner::self()));
    ledger.record(fake_entry("another-live-run", init));
    ledger.record(fake_entry("a-dead-run", a_dead_process()));
    const auto report = ledger.heal_recorded(HealScope::this_process);
    EXPECT_EQ(report.healed, 1);
    EXPECT_FALSE(broken().contains("mine"));
    EXPECT_TRUE(broken().contains("another-live-run"));
    EXPECT_TRUE(broken().contains("a-dead-run"));  // a signal handler is no sweeper: the next run heals it
    EXPECT_EQ(ledger.entries().size(), 2u);
}

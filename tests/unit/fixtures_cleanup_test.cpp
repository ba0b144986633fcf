// The process's cleanup registry (cleanup.hpp): registrations, and what a SIGINT/SIGTERM heals — the registered
// fault and the ledger entries this very process owns, never another live process's — in a child process
// (gtest death tests, "threadsafe": the child re-executes this binary, so it starts with no signal thread and
// no cached process identity). No docker: a fake fault kind writes a marker file when healed.
#include "sea/fixtures/cleanup.hpp"
#include "sea/fixtures/fault.hpp"
#include "sea/fixtures/fault_ledger.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

using namespace sea::fixtures;

namespace {

// Heals by writing <dir>/healed-<target>, containing who healed it: "object" (the fault object that injected it) or
// "ledger" (an object the ledger re-created from the entry).
class MarkerFault final : public Fault {
public:
    MarkerFault(std::string target, std::filesystem::path dir, FaultOptions options, std::string healer = "object")
        : Fault(std::move(options)), target_(std::move(target)), dir_(std::move(dir)), healer_(std::move(healer)) {}
    std::string kind() const override { return "MarkerFault"; }
    std::string target() const override { return target_; }
    void inject() override { record_before_inject(); }
    void heal() noexcept override {
        std::ofstream(dir_ / ("healed-" + target_)) << healer_;
        forget_after_heal();
    }
    bool verify_injected(std::string& evidence) override {
        evidence = "marker";
        return true;
    }

private:
    std::string target_;
    std::filesystem::path dir_;
    std::string healer_;
};

std::string read(const std::filesystem::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// One directory per test, the same in the death test's child (it re-executes this binary with our environment).
std::filesystem::path test_dir() {
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    const std::string variable = "SEA_CLEANUP_TEST_DIR_" + test;
    if (const char* set = std::getenv(variable.c_str()); set != nullptr && *set != '\0') return set;  // the child
    const auto dir = std::filesystem::temp_directory_path() / ("sea-cleanup-" + std::to_string(::getpid()) + "-" + test);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "state");
    ::setenv(variable.c_str(), dir.c_str(), 1);
    return dir;
}

// In the child: this process's default ledger is the test's, and the signal thread is running.
void child_setup(const std::filesystem::path& dir) {
    ::setenv("SEA_STATE_DIR", (dir / "state").c_str(), 1);
    if (FaultLedger::process_default().path() != dir / "state" / "fault-ledger.json") {
        std::fprintf(stderr, "the default ledger is not the test's: %s\n", FaultLedger::process_default().path().c_str());
        std::_Exit(99);
    }
    FaultLedger::process_default().register_kind("MarkerFault", [dir](const LedgerEntry& e, FaultLedger& l) -> std::unique_ptr<Fault> {
        return std::make_unique<MarkerFault>(e.container, dir, FaultOptions{&l, e.run_id}, "ledger");
    });
    install_cleanup_on_signal();
}

[[noreturn]] void signal_self_and_wait(int sig) {
    ::kill(::getpid(), sig);  // process-directed: the signal thread takes it (this thread blocks it)
    for (;;) ::pause();
}

class FixturesCleanup : public ::testing::Test {
protected:
    void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

}  // namespace

TEST_F(FixturesCleanup, RegistrationsAreClearedOnlyByTheirOwnObject) {
    FaultLedger ledger(test_dir() / "ledger.json");
    MarkerFault mine("mine", test_dir(), {&ledger, "r"});
    MarkerFault other("other", test_dir(), {&ledger, "r"});
    {
        CleanupLock cleanup;
        EXPECT_EQ(cleanup.fault(), nullptr);
        EXPECT_EQ(cleanup.stack(), nullptr);
        EXPECT_FALSE(cleanup.keep_stack());
        cleanup.register_fault(mine);
        cleanup.forget_fault(&other);
        cleanup.forget_fault(nullptr);
        EXPECT_EQ(cleanup.fault(), &mine);
        cleanup.forget_stack(nullptr);
        cleanup.forget_fault(&mine);
        EXPECT_EQ(cleanup.fault(), nullptr);
    }
    std::filesystem::remove_all(test_dir());
}

TEST_F(FixturesCleanup, ASignalToARunThatRegisteredNothingHealsNothing) {
    const auto dir = test_dir();
    EXPECT_EXIT(
        {
            child_setup(dir);
            signal_self_and_wait(SIGINT);
        },
        ::testing::ExitedWithCode(128 + SIGINT), "signal 2 received: healing this run's own fault \\(it has none\\) before exit");
    std::filesystem::remove_all(dir);
}

namespace {
// The child of ASignalHealsTheRegisteredFault...: one registered fault, one only in the ledger (its object out of
// reach), one registered and forgotten again, and another live run's ledger entry; then SIGTERM.
[[noreturn]] void run_with_faults_and_signal(const std::filesystem::path& dir) {
    child_setup(dir);
    auto& ledger = FaultLedger::process_default();
    // Another live run's fault (our parent's): never healed from here.
    LedgerEntry theirs{"", "MarkerFault", "theirs", "", nlohmann::json::object(), "their-run", ""};
    theirs.owner = ProcessOwner{static_cast<int>(::getppid()), ProcessOwner::start_ticks_of(::getppid()).value_or(0)};
    ledger.record(theirs);
    // This run's faults (static: nothing is destroyed before the signal thread exits the process).
    static MarkerFault registered("registered", dir, {&ledger, "my-run"});
    static MarkerFault recorded("recorded", dir, {&ledger, "my-run"});
    static MarkerFault forgotten("forgotten", dir, {&ledger, "my-run"});
    registered.inject();
    recorded.inject();
    {
        CleanupLock cleanup;
        cleanup.register_fault(forgotten);
        cleanup.forget_fault(&forgotten);
        cleanup.register_fault(registered);
    }
    signal_self_and_wait(SIGTERM);
}
}  // namespace

TEST_F(FixturesCleanup, ASignalHealsTheRegisteredFaultAndThisProcesssLedgerEntriesOnly) {
    const auto dir = test_dir();
    EXPECT_EXIT(run_with_faults_and_signal(dir), ::testing::ExitedWithCode(128 + SIGTERM), "signal 15 received: healing this run's own fault \\(it has none\\) before exit");
    EXPECT_EQ(read(dir / "healed-registered"), "object");  // the registered fault healed itself
    EXPECT_EQ(read(dir / "healed-recorded"), "ledger");    // this process's ledger entry
    EXPECT_FALSE(std::filesystem::exists(dir / "healed-forgotten"));
    EXPECT_FALSE(std::filesystem::exists(dir / "healed-theirs")) << "another live run's fault was healed";
    FaultLedger ledger(dir / "state" / "fault-ledger.json");
    const auto left = ledger.entries();
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].container, "theirs");
    std::filesystem::remove_all(dir);
}

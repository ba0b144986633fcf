// ProcessOwner (pid + start time, robust against pid reuse) and MachineLock's non-waiting mode and holder record.
#include "sea/fixtures/eventually.hpp"
#include "sea/fixtures/machine_lock.hpp"
#include "sea/fixtures/process_owner.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

using namespace sea::fixtures;
using namespace std::chrono_literals;

TEST(ProcessOwner, ThisProcessIsAliveWithItsStartTime) {
    const auto me = ProcessOwner::self();
    EXPECT_EQ(me.pid, ::getpid());
    EXPECT_GT(me.start_ticks, 0u);
    EXPECT_TRUE(me.alive());
    EXPECT_EQ(ProcessOwner::parse(me.to_string()), me);
}

TEST(ProcessOwner, AReusedPidIsNotTheOwner) {
    const auto me = ProcessOwner::self();
    EXPECT_FALSE((ProcessOwner{me.pid, me.start_ticks + 1}).alive());
    EXPECT_TRUE((ProcessOwner{me.pid, 0}).alive()) << "unknown start time: the pid alone decides";
}

TEST(ProcessOwner, AZombieAndAReapedChildAreGone) {
    const pid_t child = ::fork();
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    const auto start = ProcessOwner::start_ticks_of(child);
    ASSERT_TRUE(start.has_value());
    const ProcessOwner owner{child, *start};
    EXPECT_TRUE(owner.alive());
    ::kill(child, SIGKILL);
    // Not reaped yet: a zombie holds nothing.
    const auto gone = eventually("a killed, unreaped child counts as gone", Deadline::in(std::chrono::seconds(1)),
                                 [&] { return Observation(!owner.alive(), owner.alive() ? "alive" : "gone"); });
    EXPECT_TRUE(gone.met) << gone.failure_message();
    ::waitpid(child, nullptr, 0);
    EXPECT_FALSE(owner.alive());
    EXPECT_FALSE(ProcessOwner::start_ticks_of(child).has_value());
}

TEST(ProcessOwner, ParseAcceptsOnlyPidColonTicks) {
    EXPECT_EQ(ProcessOwner::parse("123:456"), (ProcessOwner{123, 456}));
    EXPECT_EQ(ProcessOwner::parse("123"), (ProcessOwner{123, 0}));
    for (const char* bad : {"", "abc", "12:x", "-1:2", "0:5", ":5", "1:2:3", "99999999999:1"}) {
        EXPECT_FALSE(ProcessOwner::parse(bad).has_value()) << bad;
    }
    EXPECT_EQ((ProcessOwner{7, 9}).describe(), "pid 7 (started at tick 9)");
}

TEST(MachineLockTest, TryAcquireDoesNotWaitAndTheHolderIsRecorded) {
    const auto file = std::filesystem::temp_directory_path() / ("sea-lock-test-" + std::to_string(::getpid()));
    {
        auto first = MachineLock::try_acquire(file);
        ASSERT_NE(first, nullptr);
        EXPECT_EQ(MachineLock::holder(file), ProcessOwner::self());
        const auto started = std::chrono::steady_clock::now();
        EXPECT_EQ(MachineLock::try_acquire(file), nullptr);  // another open file description: busy
        EXPECT_LT(std::chrono::steady_clock::now() - started, 100ms);
        try {
            MachineLock waiting(300ms, file);
            FAIL() << "expected the wait to time out";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(::getpid())), std::string::npos) << e.what();
        }
    }
    EXPECT_NE(MachineLock::try_acquire(file), nullptr) << "released with its owner";
    std::filesystem::remove(file);
}

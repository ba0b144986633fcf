// Stack::up with host-side readiness probes (what the profiles use instead of compose healthchecks), against the
// tiny driver stack (tests/stack/compose/stack-driver.yml): a service with a probe is ready only once its probe is
// met, however docker reports its health; a probe never met fails on the deadline naming the service, the probe
// and its last result; a crashing container still fails fast.
#include "sea/fixtures/machine_lock.hpp"
#include "sea/fixtures/preflight.hpp"
#include "sea/fixtures/stack.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>

using namespace std::chrono_literals;
using namespace sea::fixtures;

namespace {

StackOptions driver_options(std::vector<std::string> profiles, std::vector<ReadinessProbe> readiness) {
    StackOptions options;
    options.compose_files = {std::filesystem::path(SEA_STACK_COMPOSE_DIR) / "stack-driver.yml"};
    options.profiles = std::move(profiles);
    options.project_prefix = "seareadiness";
    options.env_file = std::nullopt;
    options.readiness = std::move(readiness);
    return options;
}

class HostReadiness : public ::testing::Test {
protected:
    void SetUp() override {
        const auto result = preflight(PreflightSpec{});
        if (!result.ok()) {
            const char* require = std::getenv("SEA_REQUIRE_ALL");
            if (require != nullptr && std::string(require) == "1") FAIL() << result.report();
            GTEST_SKIP() << result.report();
        }
        lock_ = std::make_unique<MachineLock>();
    }
    std::unique_ptr<MachineLock> lock_;
};

TEST_F(HostReadiness, ReadyOnlyOnceTheProbeIsMet) {
    std::atomic<int> calls{0};
    Stack stack(driver_options({}, {{"sleeper", "met from the 10th call", [&] {
                                         const int n = ++calls;
                                         return Observation(n >= 10, "call " + std::to_string(n));
                                     }}}));
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_NO_THROW(stack.up(Deadline::in(60s)));
    // The probe runs every round until met (also while `echo` waits for its docker healthcheck); never after.
    const int at_return = calls.load();
    EXPECT_GE(at_return, 10) << "up() returned before the probe was met";
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
    EXPECT_EQ(stack.container("sleeper").state().status, "running");  // and no probe call after up() returned
    EXPECT_EQ(calls.load(), at_return);
    stack.down();
}

TEST_F(HostReadiness, ADockerHealthcheckThatNeverPassesDoesNotBlockAHostProbedService) {
    // `slow` has a healthcheck that never passes (like a curl healthcheck in a distroless image); its host probe
    // is met, so the stack is ready.
    Stack stack(driver_options({"slow"}, {{"slow", "always met", [] { return Observation(true, "ok"); }}}));
    ASSERT_NO_THROW(stack.up(Deadline::in(60s)));
    stack.down();
}

TEST_F(HostReadiness, AProbeNeverMetFailsOnTheDeadlineNamingServiceProbeAndLastResult) {
    Stack stack(driver_options({}, {{"sleeper", "GET http://127.0.0.1:1/readyz = 2xx", [] { return Observation(false, "connect_failed 0"); }}}));
    try {
        stack.up(Deadline::in(8s));
        ADD_FAILURE() << "up() returned although the probe never held";
    } catch (const StackError& e) {
        const std::string text = e.what();
        EXPECT_NE(text.find("sleeper: GET http://127.0.0.1:1/readyz = 2xx: last result connect_failed 0"), std::string::npos) << text;
    }
    stack.down();
}

TEST_F(HostReadiness, AnExitingContainerStillFailsFast) {
    Stack stack(driver_options({"crash"}, {{"crasher", "never met", [] { return Observation(false, "no"); }}}));
    const auto t0 = std::chrono::steady_clock::now();
    try {
        stack.up(Deadline::in(60s));
        ADD_FAILURE() << "up() returned although crasher exited";
    } catch (const StackError& e) {
        EXPECT_NE(std::string(e.what()).find("exited with code 3"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s) << "did not fail fast";
    stack.down();
}

}  // namespace

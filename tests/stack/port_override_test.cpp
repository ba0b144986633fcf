// One source of truth per endpoint: with 127.0.0.1:8181 (OPA's default host port) held by another listener,
// `SEA_OPA_PORT=18181 chaos-opa_restart` passes — compose publishes OPA on 18181 and every probe (readiness, the
// scenario's direct OPA loop, the steady-state decision) talks to 18181; the held listener never sees a
// connection. Without the override the same run stops in preflight naming the taken port (the control that
// shows the held port matters).
// The test holds 8181 only while it owns the machine-wide stack lock (so it never blocks another suite's OPA);
// the scenario it runs gets a private lock file (SEA_STACK_LOCK) instead of waiting on the one its parent holds.
#include "sea/fixtures/machine_lock.hpp"
#include "sea/probes/process.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;

// A listening TCP socket on 127.0.0.1:port for the object's lifetime (nothing accepts: connections queue).
class HeldPort {
public:
    explicit HeldPort(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        held_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd_, 64) == 0;
        if (!held_) error_ = std::strerror(errno);
    }
    ~HeldPort() {
        if (fd_ >= 0) ::close(fd_);
    }
    HeldPort(const HeldPort&) = delete;
    HeldPort& operator=(const HeldPort&) = delete;

    [[nodiscard]] bool held() const { return held_; }
    [[nodiscard]] const std::string& error() const { return error_; }
    // Connections made to the port since it was opened (accepted and closed here).
    int connections_seen() {
        int n = 0;
        for (int c; (c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0; ++n) ::close(c);
        return n;
    }

private:
    int fd_;
    bool held_ = false;
    std::string error_;
};

// Runs the opa_restart scenario while this process holds the machine lock (the child uses a private one).
sea::probes::ProcessResult run_opa_restart(std::map<std::string, std::string> env) {
    sea::probes::ProcessOptions options;
    options.env = std::move(env);
    options.env["CHAOS_SCENARIO"] = "opa_restart";
    options.env["SEA_STACK_LOCK"] = (std::filesystem::temp_directory_path() / fmt::format("sea-port-override-{}.lock", ::getpid())).string();
    auto result = sea::probes::run_process({SEA_CHAOS_OPA_RESTART_BIN}, 600s, options);
    std::filesystem::remove(options.env["SEA_STACK_LOCK"]);
    return result;
}

std::string tail(const std::string& text) { return text.substr(text.size() > 6000 ? text.size() - 6000 : 0); }

TEST(PortOverride, OpaScenarioPassesOnAMovedPortWhileTheDefaultIsHeld) {
    const sea::fixtures::MachineLock lock;
    HeldPort default_port(8181);
    ASSERT_TRUE(default_port.held()) << "cannot hold 127.0.0.1:8181 for the test: " << default_port.error();
    const auto run = run_opa_restart({{"SEA_OPA_PORT", "18181"}, {"SEA_REQUIRE_ALL", "1"}});
    EXPECT_EQ(run.exit_code, 0) << run.describe() << "\n" << tail(run.out) << run.err;
    EXPECT_NE(run.out.find("[  PASSED  ] 1 test"), std::string::npos) << tail(run.out);
    EXPECT_EQ(default_port.connections_seen(), 0) << "a probe still talked to the default port 8181";
}

TEST(PortOverride, WithoutTheOverrideTheHeldPortStopsThePreflight) {
    const sea::fixtures::MachineLock lock;
    HeldPort default_port(8181);
    ASSERT_TRUE(default_port.held()) << default_port.error();
    const auto run = run_opa_restart({{"SEA_REQUIRE_ALL", "1"}});
    EXPECT_NE(run.exit_code, 0) << tail(run.out);
    EXPECT_NE(run.out.find("8181"), std::string::npos) << tail(run.out);
    EXPECT_NE(run.out.find("PREFLIGHT FAILED"), std::string::npos) << tail(run.out);
}

}  // namespace

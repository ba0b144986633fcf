// Done-when tests of the real policy-gateway binary against a real OPA process (tiny policy in a temp
// dir): correct decisions; while OPA is stopped or stalled every request is a 503 deny answered within
// timeout + 100 ms and /readyz is 503; correct decisions again after OPA returns.
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/child_process.hpp"
#include "sea/testsupport/local_opa.hpp"
#include "sea/testsupport/poll.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/subprocess.hpp"
#include "sea/testsupport/temp_dir.hpp"

#include <httplib.h>

#include <gtest/gtest.h>

#include <cstdlib>

namespace sea::gateway {
namespace {

using namespace sea::testsupport;
using namespace std::chrono_literals;

// The binary under test: $SEA_GATEWAY_BIN overrides the built one (e.g. to run a mutant through these tests).
std::string binaryUnderTest() {
    const char* fromEnv = std::getenv("SEA_GATEWAY_BIN");
    return fromEnv != nullptr ? fromEnv : SEA_GATEWAY_BIN;
}


constexpr auto kTimeout = 300ms;
constexpr auto kSlack = 100ms;

const char* const kPolicy = R"(package sea.authz

default allow := false

allow if {
    input.subject == "alice"
    input.action == "read"
}
)";

class GatewayWithRealOpa : public ::testing::Test {
protected:
    void SetUp() override {
        SEA_REQUIRE_BINARY(opa_binary(), "OPA binary ($SEA_OPA_BIN, <repo>/.cache/bin/opa or opa on PATH)");
        opa = std::make_unique<LocalOpa>(LocalOpaOptions{kPolicy});
        port = free_loopback_port();
        gateway = std::make_unique<ChildProcess>(
            std::vector<std::string>{binaryUnderTest()}, dir.path() + "/gateway.log",
            std::map<std::string, std::string>{{"OPA_URL", opa->url()},
                                               {"OPA_TIMEOUT_MS", std::to_string(kTimeout.count())},
                                               {"GATEWAY_PORT", std::to_string(port)}});
        ASSERT_TRUE(poll_until(10s, [&] { return status("/readyz") == 200; })) << log();
    }

    int status(const char* path) const {
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(500ms);
        client.set_read_timeout(2s);
        auto res = client.Get(path);
        return res ? res->status : 0;
    }

    struct Timed {
        int status;
        std::string body;
        std::chrono::milliseconds elapsed;
    };

    Timed authorize(const std::string& subject, const std::string& action = "read") const {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(10s);
        const auto start = std::chrono::steady_clock::now();
        auto res = client.Post("/v1/authorize",
                               R"({"subject":")" + subject + R"(","action":")" + action + R"(","resource":"doc:1"})",
                               "application/json");
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        return res ? Timed{res->status, res->body, elapsed} : Timed{0, "", elapsed};
    }

    void expectCorrectDecisions() const {
        EXPECT_EQ(authorize("alice").body, R"({"decision":"allow"})");
        EXPECT_EQ(authorize("alice", "delete").body, R"({"decision":"deny"})");
        EXPECT_EQ(authorize("mallory").body, R"({"decision":"deny"})");
    }

    // Every one of `count` requests must be a 503 deny within timeout + slack.
    void expectBoundedDenials(int count) const {
        for (int i = 0; i < count; ++i) {
            const auto answer = authorize("alice");
            EXPECT_EQ(answer.status, 503) << answer.body;
            EXPECT_EQ(answer.body.find("allow"), std::string::npos) << "must never allow: " << answer.body;
            EXPECT_LE(answer.elapsed, kTimeout + kSlack) << "request " << i;
        }
    }

    std::string log() const { return file_tail(dir.path() + "/gateway.log"); }

    TempDir dir{"sea-gateway-it-"};
    std::unique_ptr<LocalOpa> opa;
    std::unique_ptr<ChildProcess> gateway;
    int port = 0;
};

TEST_F(GatewayWithRealOpa, DeniesWithinTimeoutWhileOpaIsStoppedAndRecovers) {
    expectCorrectDecisions();
    opa->kill();
    expectBoundedDenials(20);
    EXPECT_TRUE(poll_until(3s, [&] { return status("/readyz") == 503; })) << "readyz must drop while OPA is down";
    EXPECT_EQ(status("/healthz"), 200);
    opa->start();  // same port, same policy
    ASSERT_TRUE(poll_until(5s, [&] { return status("/readyz") == 200; })) << log();
    expectCorrectDecisions();
}

TEST_F(GatewayWithRealOpa, DeniesWithinTimeoutWhileOpaIsStalled) {
    opa->pause();
    expectBoundedDenials(10);
    EXPECT_TRUE(poll_until(3s, [&] { return status("/readyz") == 503; }));
    EXPECT_EQ(status("/healthz"), 200) << "liveness must not depend on OPA";
    opa->resume();
    ASSERT_TRUE(poll_until(5s, [&] { return status("/readyz") == 200; })) << log();
    expectCorrectDecisions();
}

TEST_F(GatewayWithRealOpa, GracefulStopOnSigterm) {
    gateway->signal(SIGTERM);
    const auto code = gateway->wait_exit(5s);
    ASSERT_TRUE(code.has_value()) << log();
    EXPECT_EQ(*code, 0);
}

}  // namespace
}  // namespace sea::gateway

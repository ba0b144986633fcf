// Done-when tests of the real policy-gateway binary against a real OPA process (tiny policy in a temp
// dir): correct decisions; while OPA is stopped or stalled every request is a 503 deny answered within
// timeout + 100 ms and /readyz is 503; correct decisions again after OPA returns. And against a real OPA
// started WITHOUT any policy (what a restart while its bundle server is down gives): OPA answers, every decision
// is undefined (200 {}), the gateway is not ready and never allows; once the policy is loaded it is ready.
#include "gateway_binary_test.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/local_opa.hpp"
#include "sea/testsupport/poll.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/subprocess.hpp"

#include <httplib.h>

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

namespace sea::gateway {
namespace {

using namespace sea::testsupport;
using namespace std::chrono_literals;

const char* const kPolicy = R"(package sea.authz

default allow := false

allow if {
    input.subject == "alice"
    input.action == "read"
}
)";

class GatewayWithRealOpa : public GatewayBinaryTest {
protected:
    void SetUp() override {
        SEA_REQUIRE_BINARY(opa_binary(), "OPA binary ($SEA_OPA_BIN, <repo>/.cache/bin/opa or opa on PATH)");
        opa = std::make_unique<LocalOpa>(LocalOpaOptions{kPolicy});
        startGateway(opa->url());
        ASSERT_TRUE(poll_until(10s, [&] { return status("/readyz") == 200; })) << log();
    }

    std::unique_ptr<LocalOpa> opa;
};

// A real OPA server started with no policy at all: `opa run --server` and nothing else (LocalOpa requires one).
class GatewayWithOpaWithoutPolicy : public GatewayBinaryTest {
protected:
    void SetUp() override {
        SEA_REQUIRE_BINARY(opa_binary(), "OPA binary ($SEA_OPA_BIN, <repo>/.cache/bin/opa or opa on PATH)");
        opaPort = free_loopback_port();
        opaLog = dir.path() + "/opa.log";
        opaPid = spawn_process({*opa_binary(), "run", "--server", "--addr", "127.0.0.1:" + std::to_string(opaPort),
                                "--log-level", "error", "--disable-telemetry"},
                               opaLog);
        const auto error = wait_process_ready(opaPid, 30s, "opa without policy", opaLog, [&]() -> std::string {
            return opaClient().Get("/health") ? "" : "/health does not answer";
        });
        ASSERT_EQ(error, "");
        startGateway(opaUrl());
        ASSERT_TRUE(poll_until(10s, [&] { return status("/healthz") == 200; })) << log();
    }

    void TearDown() override {
        if (opaPid > 0) {
            ::kill(opaPid, SIGKILL);
            wait_for_exit(opaPid, 5s);
        }
    }

    std::string opaUrl() const { return "http://127.0.0.1:" + std::to_string(opaPort); }
    httplib::Client opaClient() const {
        httplib::Client client("127.0.0.1", opaPort);
        client.set_connection_timeout(500ms);
        client.set_read_timeout(2s);
        return client;
    }

    int opaPort = 0;
    pid_t opaPid = 0;
    std::string opaLog;
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

TEST_F(GatewayWithOpaWithoutPolicy, NotReadyAndNeverAllowsUntilThePolicyIsLoaded) {
    // What the real OPA answers without a policy: /health 200, and every decision undefined (200, no "result").
    auto client = opaClient();
    const auto health = client.Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    const auto raw = client.Post("/v1/data/sea/authz/allow", R"({"input":{"subject":"alice","action":"read"}})",
                                 "application/json");
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->status, 200);
    EXPECT_EQ(raw->body.find("result"), std::string::npos) << raw->body;

    // For 3 s (two of the gateway's 1.5 s readiness windows): never ready, no allow, every answer a 503 deny.
    int asked = 0, ready = 0, allowed = 0, not503 = 0;
    std::string example;
    for (const auto until = std::chrono::steady_clock::now() + 3s; std::chrono::steady_clock::now() < until;) {
        const auto answer = authorize("alice");
        ++asked;
        if (answer.body.find("allow") != std::string::npos) ++allowed;
        if (answer.status != 503 && example.empty()) example = std::to_string(answer.status) + " " + answer.body;
        if (answer.status != 503) ++not503;
        if (status("/readyz") != 503) ++ready;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(allowed, 0) << "allow without a policy (" << asked << " asked)";
    EXPECT_EQ(ready, 0) << "/readyz said ready while OPA had no policy (" << asked << " probes)";
    EXPECT_EQ(not503, 0) << "expected 503 deny, e.g. " << example;
    EXPECT_NE(get("/readyz").second.find("policy-not-loaded"), std::string::npos) << get("/readyz").second;
    EXPECT_NE(get("/metrics").second.find("sea_gateway_opa_ready 0\n"), std::string::npos);

    // The policy arrives (as a bundle activation would load it): ready, correct decisions.
    const auto put = client.Put("/v1/policies/sea-authz", kPolicy, "text/plain");
    ASSERT_TRUE(put);
    ASSERT_EQ(put->status, 200) << put->body;
    ASSERT_TRUE(poll_until(5s, [&] { return status("/readyz") == 200; })) << log();
    EXPECT_NE(get("/metrics").second.find("sea_gateway_opa_ready 1\n"), std::string::npos);
    expectCorrectDecisions();
}

}  // namespace
}  // namespace sea::gateway

// The gateway (in-process GatewayServer) against an in-process stub OPA that can answer allow, deny,
// undefined, HTTP 500, garbage, or stall: every OPA failure must be a bounded 503 deny. Undefined (200 {}: what a
// real OPA answers while no policy is loaded) is a failure too: 503 deny, and /readyz 503 although OPA answers.
#include "gateway_service.hpp"
#include "sea/testsupport/local_http_server.hpp"
#include "sea/testsupport/poll.hpp"

#include <httplib.h>

#include <gtest/gtest.h>

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace sea::gateway {
namespace {

using namespace std::chrono_literals;

enum class StubMode { Allow, Deny, Undefined, Status500, Garbage, Stall };

// A stub OPA on sea::testsupport::LocalHttpServer: POST /v1/data/... answers per `mode` (the gateway's readiness
// probes included), GET /health is always 200.
class StubOpa {
public:
    explicit StubOpa(StubMode initial = StubMode::Allow) : mode(initial) {
        // The gateway keeps one keep-alive connection per worker thread (32) and each holds a server thread while
        // idle: with httplib's default pool (8 on 2 cores) a test asking many requests would stall the stub.
        server_.server().new_task_queue = [] { return new httplib::ThreadPool(64); };
        server_.server().Post(R"(/v1/data/.*)", [this](const httplib::Request& req, httplib::Response& res) {
            {
                std::lock_guard lock(mutex_);
                inputs_.push_back(req.body);
            }
            switch (mode.load()) {
                case StubMode::Allow: res.set_content(R"({"result":true})", "application/json"); break;
                case StubMode::Deny: res.set_content(R"({"result":false})", "application/json"); break;
                case StubMode::Undefined: res.set_content("{}", "application/json"); break;
                case StubMode::Status500:
                    res.status = 500;
                    res.set_content(R"({"result":true})", "application/json");
                    break;
                case StubMode::Garbage: res.set_content("<html>oops", "text/html"); break;
                case StubMode::Stall:
                    server_.sleep_unless_stopping(2s);
                    res.set_content(R"({"result":true})", "application/json");
                    break;
            }
        });
        server_.server().Get("/health", [](const httplib::Request&, httplib::Response& res) {
            res.set_content("{}", "application/json");
        });
        server_.start();
    }
    // Every body POSTed so far (requests and the gateway's readiness probes, in arrival order).
    std::vector<std::string> inputs() const {
        std::lock_guard lock(mutex_);
        return inputs_;
    }
    int port() const { return server_.port(); }
    std::atomic<StubMode> mode;

private:
    mutable std::mutex mutex_;
    std::vector<std::string> inputs_;
    sea::testsupport::LocalHttpServer server_;  // last: stopped before the members its handlers use
};

class GatewayWithStubOpa : public ::testing::Test {
protected:
    explicit GatewayWithStubOpa(StubMode initial = StubMode::Allow) : opa(initial) {
        config.opaUrl = "http://127.0.0.1:" + std::to_string(opa.port());
        config.opaTimeout = 300ms;
        config.port = 0;
        gateway = std::make_unique<GatewayServer>(config, stop);
        port = gateway->start("127.0.0.1");
    }

    struct Timed {
        int status;
        std::string body;
        std::chrono::milliseconds elapsed;
    };

    Timed authorize(const std::string& body = R"({"subject":"alice","action":"read","resource":"doc:1"})") {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(10s);
        const auto start = std::chrono::steady_clock::now();
        auto res = client.Post("/v1/authorize", body, "application/json");
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        if (!res) return {0, "", elapsed};
        return {res->status, res->body, elapsed};
    }

    std::pair<int, std::string> get(const char* path) const {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(2s);
        auto res = client.Get(path);
        return res ? std::pair{res->status, res->body} : std::pair{0, std::string()};
    }

    // For `window`: /readyz is 503 and every authorize answer a 503 deny naming the undefined decision. Returns
    // how many requests were asked; counts and the first offending answers go to the test's failures.
    int expectNotReadyAndNeverAllow(std::chrono::milliseconds window) {
        int asked = 0, ready = 0, allowed = 0, not503 = 0;
        std::string example;
        const auto until = std::chrono::steady_clock::now() + window;
        while (std::chrono::steady_clock::now() < until) {
            const auto answer = authorize();
            ++asked;
            if (answer.body.find("allow") != std::string::npos) ++allowed;
            if (answer.status != 503 || answer.body.find("undefined") == std::string::npos) {
                ++not503;
                if (example.empty()) example = std::to_string(answer.status) + " " + answer.body;
            }
            if (get("/readyz").first != 503) ++ready;
            std::this_thread::sleep_for(50ms);
        }
        EXPECT_EQ(allowed, 0) << "the gateway answered allow without a policy (" << asked << " asked)";
        EXPECT_EQ(ready, 0) << "/readyz said ready while OPA had no policy (" << asked << " probes)";
        EXPECT_EQ(not503, 0) << "expected 503 deny naming the undefined decision, e.g. " << example;
        return asked;
    }

    StubOpa opa;
    GatewayConfig config;
    sea::apps::StopSignal stop;
    std::unique_ptr<GatewayServer> gateway;
    int port = 0;

    ~GatewayWithStubOpa() override {
        stop.requestStop();
        gateway->stop();
    }
};

TEST_F(GatewayWithStubOpa, RealDecisionsAre200) {
    auto allow = authorize();
    EXPECT_EQ(allow.status, 200);
    EXPECT_EQ(allow.body, R"({"decision":"allow"})");
    const auto inputs = opa.inputs();
    EXPECT_NE(std::find(inputs.begin(), inputs.end(),
                        R"({"input":{"action":"read","resource":"doc:1","subject":"alice"}})"),
              inputs.end());
    opa.mode = StubMode::Deny;
    auto deny = authorize();
    EXPECT_EQ(deny.status, 200);
    EXPECT_EQ(deny.body, R"({"decision":"deny"})");
}

TEST_F(GatewayWithStubOpa, OpaFailuresFailClosedWithin503) {
    for (auto mode : {StubMode::Undefined, StubMode::Status500, StubMode::Garbage, StubMode::Stall}) {
        opa.mode = mode;
        const auto answer = authorize();
        EXPECT_EQ(answer.status, 503) << static_cast<int>(mode);
        EXPECT_NE(answer.body.find(R"("decision":"deny")"), std::string::npos) << answer.body;
        EXPECT_NE(answer.body.find(R"("reason")"), std::string::npos) << answer.body;
        EXPECT_LE(answer.elapsed, config.opaTimeout + 100ms) << "mode " << static_cast<int>(mode);
    }
}

TEST_F(GatewayWithStubOpa, InvalidBodyIs400WithoutAskingOpa) {
    const auto answer = authorize(R"({"subject":"alice"})");
    EXPECT_EQ(answer.status, 400);
    EXPECT_NE(answer.body.find("missing field"), std::string::npos);
}

TEST_F(GatewayWithStubOpa, MetricsCountOutcomes) {
    authorize();
    opa.mode = StubMode::Garbage;
    authorize();
    authorize("{}");
    httplib::Client client("127.0.0.1", port);
    auto res = client.Get("/metrics");
    ASSERT_TRUE(res);
    EXPECT_NE(res->body.find("sea_gateway_decisions_total{decision=\"allow\"} 1\n"), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("sea_gateway_decisions_total{decision=\"error\"} 1\n"), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("sea_gateway_bad_requests_total 1\n"), std::string::npos) << res->body;
}

TEST_F(GatewayWithStubOpa, ReadyWhileOpaAnswersHealth) {
    httplib::Client client("127.0.0.1", port);
    EXPECT_TRUE(sea::testsupport::poll_until(3s, [&] { auto r = client.Get("/readyz"); return r && r->status == 200; }));
    auto health = client.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
}

// OPA answers (/health 200) but has no policy: every decision is undefined, 200 {} (a real OPA restarted while its
// bundle server is down). Reachable is not ready, and undefined is never allow.
TEST_F(GatewayWithStubOpa, PolicyLostWhileRunningIsNotReadyAndNeverAllows) {
    ASSERT_TRUE(sea::testsupport::poll_until(3s, [&] { return get("/readyz").first == 200; }));
    opa.mode = StubMode::Undefined;
    // Known at the next probe: no kReadyFreshness grace for an OPA that answers without its policy.
    ASSERT_TRUE(sea::testsupport::poll_until(kProbeInterval + 500ms, [&] { return get("/readyz").first == 503; }))
        << "readyz must drop at the next probe once OPA's decisions are undefined: " << get("/readyz").second;
    const int asked = expectNotReadyAndNeverAllow(2 * kReadyFreshness);
    EXPECT_NE(get("/readyz").second.find(R"("opa":"policy-not-loaded")"), std::string::npos) << get("/readyz").second;
    const auto metrics = get("/metrics").second;
    EXPECT_NE(metrics.find("sea_gateway_opa_ready 0\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("sea_gateway_decisions_total{decision=\"allow\"} 0\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find(fmt::format("sea_gateway_decisions_total{{decision=\"error\"}} {}\n", asked)),
              std::string::npos)
        << metrics;
    opa.mode = StubMode::Allow;  // the policy is back
    EXPECT_TRUE(sea::testsupport::poll_until(3s, [&] { return get("/readyz").first == 200; }));
    EXPECT_EQ(authorize().body, R"({"decision":"allow"})");
}

class GatewayWithStubOpaWithoutPolicy : public GatewayWithStubOpa {
protected:
    GatewayWithStubOpaWithoutPolicy() : GatewayWithStubOpa(StubMode::Undefined) {}
};

// OPA comes up without its policy: the gateway is never ready and never allows until the policy arrives.
TEST_F(GatewayWithStubOpaWithoutPolicy, NeverReadyAndNeverAllowsUntilThePolicyArrives) {
    expectNotReadyAndNeverAllow(2 * kReadyFreshness);
    EXPECT_NE(get("/metrics").second.find("sea_gateway_opa_ready 0\n"), std::string::npos);
    opa.mode = StubMode::Deny;  // a policy is loaded (its answer here: deny)
    ASSERT_TRUE(sea::testsupport::poll_until(3s, [&] { return get("/readyz").first == 200; }));
    EXPECT_NE(get("/metrics").second.find("sea_gateway_opa_ready 1\n"), std::string::npos);
    const auto deny = authorize();
    EXPECT_EQ(deny.status, 200);
    EXPECT_EQ(deny.body, R"({"decision":"deny"})");
}

}  // namespace
}  // namespace sea::gateway

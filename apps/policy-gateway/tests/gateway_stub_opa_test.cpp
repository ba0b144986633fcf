// The gateway (in-process GatewayServer) against an in-process stub OPA that can answer allow, deny,
// undefined, HTTP 500, garbage, or stall: every OPA failure must be a bounded 503 deny.
#include "gateway_service.hpp"
#include "sea/testsupport/local_http_server.hpp"
#include "sea/testsupport/poll.hpp"

#include <httplib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

namespace sea::gateway {
namespace {

using namespace std::chrono_literals;

enum class StubMode { Allow, Deny, Undefined, Status500, Garbage, Stall };

// A stub OPA on sea::testsupport::LocalHttpServer: POST /v1/data/... answers per `mode`, GET /health is 200.
class StubOpa {
public:
    StubOpa() {
        server_.server().Post(R"(/v1/data/.*)", [this](const httplib::Request& req, httplib::Response& res) {
            {
                std::lock_guard lock(mutex_);
                lastInput_ = req.body;
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
    std::string lastInput() const {
        std::lock_guard lock(mutex_);
        return lastInput_;
    }
    int port() const { return server_.port(); }
    std::atomic<StubMode> mode{StubMode::Allow};

private:
    sea::testsupport::LocalHttpServer server_;
    mutable std::mutex mutex_;
    std::string lastInput_;
};

class GatewayWithStubOpa : public ::testing::Test {
protected:
    GatewayWithStubOpa() {
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
    EXPECT_NE(opa.lastInput().find(R"("input":{"action":"read","resource":"doc:1","subject":"alice"})"),
              std::string::npos)
        << opa.lastInput();
    opa.mode = StubMode::Deny;
    EXPECT_EQ(authorize().body, R"({"decision":"deny"})");
    opa.mode = StubMode::Undefined;
    auto undefinedAnswer = authorize();
    EXPECT_EQ(undefinedAnswer.status, 200);
    EXPECT_EQ(undefinedAnswer.body, R"({"decision":"deny"})");
}

TEST_F(GatewayWithStubOpa, OpaFailuresFailClosedWithin503) {
    for (auto mode : {StubMode::Status500, StubMode::Garbage, StubMode::Stall}) {
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

}  // namespace
}  // namespace sea::gateway

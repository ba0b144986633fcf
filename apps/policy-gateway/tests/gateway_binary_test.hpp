// The real policy-gateway binary as a child process of a test (a free loopback port, its log in a temp dir), and how
// the tests talk to it: only 127.0.0.1 is dialled. Shared by gateway_real_opa_test.cpp and
// gateway_hung_lookup_test.cpp.
#pragma once

#include "sea/testsupport/child_process.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/subprocess.hpp"
#include "sea/testsupport/temp_dir.hpp"

#include <httplib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sea::gateway {

// The binary under test: $SEA_GATEWAY_BIN overrides the built one (e.g. to run a mutant through these tests).
inline std::string binaryUnderTest() {
    const char* fromEnv = std::getenv("SEA_GATEWAY_BIN");
    return fromEnv != nullptr ? fromEnv : SEA_GATEWAY_BIN;
}

inline constexpr std::chrono::milliseconds kTimeout{300};  // the gateway's OPA_TIMEOUT_MS in these tests
inline constexpr std::chrono::milliseconds kSlack{100};    // how much longer an answer may take while OPA fails

class GatewayBinaryTest : public ::testing::Test {
protected:
    // Starts the gateway with OPA at `opaUrl`; `extraEnv` is added to its environment (and wins).
    void startGateway(const std::string& opaUrl, const std::map<std::string, std::string>& extraEnv = {}) {
        port = sea::testsupport::free_loopback_port();
        std::map<std::string, std::string> env{{"OPA_URL", opaUrl},
                                               {"OPA_TIMEOUT_MS", std::to_string(kTimeout.count())},
                                               {"GATEWAY_PORT", std::to_string(port)}};
        for (const auto& [name, value] : extraEnv) env[name] = value;
        gateway = std::make_unique<sea::testsupport::ChildProcess>(std::vector<std::string>{binaryUnderTest()},
                                                                   logPath(), env);
    }

    int status(const char* path) const { return get(path).first; }

    std::pair<int, std::string> get(const char* path) const {
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(std::chrono::milliseconds(500));
        client.set_read_timeout(std::chrono::seconds(2));
        auto res = client.Get(path);
        return res ? std::pair{res->status, res->body} : std::pair{0, std::string()};
    }

    struct Timed {
        int status;
        std::string body;
        std::chrono::milliseconds elapsed;
    };

    Timed authorize(const std::string& subject, const std::string& action = "read") const {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(std::chrono::seconds(10));
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

    // Every one of `count` requests (one after another) must be a 503 deny within timeout + slack. Returns the
    // answers, for checks of the caller's own.
    std::vector<Timed> expectBoundedDenials(int count) const {
        std::vector<Timed> answers;
        for (int i = 0; i < count; ++i) {
            const auto& answer = answers.emplace_back(authorize("alice"));
            EXPECT_EQ(answer.status, 503) << answer.body;
            EXPECT_EQ(answer.body.find("allow"), std::string::npos) << "must never allow: " << answer.body;
            EXPECT_LE(answer.elapsed, kTimeout + kSlack) << "request " << i;
        }
        return answers;
    }

    std::string logPath() const { return dir.path() + "/gateway.log"; }
    std::string log() const { return sea::testsupport::file_tail(logPath()); }

    sea::testsupport::TempDir dir{"sea-gateway-it-"};
    std::unique_ptr<sea::testsupport::ChildProcess> gateway;
    int port = 0;
};

}  // namespace sea::gateway

// Unit tests of loadGatewayConfig: defaults, accepted forms, every bad value naming its variable.
#include "gateway_config.hpp"

#include <gtest/gtest.h>

namespace sea::gateway {
namespace {

using sea::apps::ConfigError;
using sea::apps::mapEnv;

void expectRejected(const std::string& variable, const std::string& value) {
    try {
        loadGatewayConfig(mapEnv({{variable, value}}));
        FAIL() << variable << "=\"" << value << "\" was accepted";
    } catch (const ConfigError& error) {
        const std::string message = error.what();
        EXPECT_EQ(message.rfind(variable + ":", 0), 0u) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

TEST(GatewayConfig, Defaults) {
    const auto config = loadGatewayConfig(mapEnv({}));
    EXPECT_EQ(config.decisionUrl(), "http://127.0.0.1:8181/v1/data/sea/authz/allow");
    EXPECT_EQ(config.healthUrl(), "http://127.0.0.1:8181/health");
    EXPECT_EQ(config.opaTimeout.count(), 500);
    EXPECT_EQ(config.port, 8080);
}

TEST(GatewayConfig, ParsesEveryVariable) {
    const auto config = loadGatewayConfig(mapEnv({{"OPA_URL", "http://opa:9181/prefix/"},
                                                  {"OPA_DECISION_PATH", "/platform/authz-v2/allow"},
                                                  {"OPA_TIMEOUT_MS", "60000"},
                                                  {"GATEWAY_PORT", "0"}}));
    EXPECT_EQ(config.decisionUrl(), "http://opa:9181/prefix/v1/data/platform/authz-v2/allow");
    EXPECT_EQ(config.opaTimeout.count(), 60000);
    EXPECT_EQ(config.port, 0);
    EXPECT_EQ(loadGatewayConfig(mapEnv({{"OPA_URL", "http://opa"}})).healthUrl(), "http://opa/health");
}

TEST(GatewayConfig, BadOpaUrlIsRejected) {
    for (const char* bad : {"", "opa:8181", "https://opa:8181", "ftp://opa", "http://", "http://:8181",
                            "http://opa:0", "http://opa:65536", "http://opa:abc", "http://opa:8181?x=1",
                            "http://op a:8181", "http://opa@evil:1"}) {
        expectRejected("OPA_URL", bad);
    }
}

TEST(GatewayConfig, BadDecisionPathIsRejected) {
    for (const char* bad : {"", "/", "sea//allow", "sea/allow/", "sea.authz.allow", "sea/al low", "sea/../x"}) {
        expectRejected("OPA_DECISION_PATH", bad);
    }
}

TEST(GatewayConfig, BadTimeoutIsRejected) {
    for (const char* bad : {"0", "60001", "-1", "500ms", ""}) expectRejected("OPA_TIMEOUT_MS", bad);
}

TEST(GatewayConfig, BadPortIsRejected) {
    for (const char* bad : {"65536", "-1", "x", ""}) expectRejected("GATEWAY_PORT", bad);
}

}  // namespace
}  // namespace sea::gateway

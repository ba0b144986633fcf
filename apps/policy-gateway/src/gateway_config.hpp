#pragma once
// Configuration of policy-gateway, read from environment variables (see loadGatewayConfig).
#include "env_parse.hpp"

#include <chrono>
#include <string>

namespace sea::gateway {

struct GatewayConfig {
    std::string opaUrl = "http://127.0.0.1:8181";    // OPA_URL: http://host[:port][/prefix], no trailing slash kept
    std::string decisionPath = "sea/authz/allow";     // OPA_DECISION_PATH: segments of [A-Za-z0-9_-] joined by '/'
    std::chrono::milliseconds opaTimeout{500};        // OPA_TIMEOUT_MS: 1..60000, whole OPA call (connect + answer)
    int port = 8080;                                  // GATEWAY_PORT: 0..65535 (0 = OS-chosen, logged)

    std::string decisionUrl() const { return opaUrl + "/v1/data/" + decisionPath; }
    std::string healthUrl() const { return opaUrl + "/health"; }
};

// Throws sea::apps::ConfigError naming the first bad variable.
GatewayConfig loadGatewayConfig(const sea::apps::EnvLookup& env);

}  // namespace sea::gateway

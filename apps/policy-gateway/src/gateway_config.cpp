#include "gateway_config.hpp"

#include <fmt/core.h>

namespace sea::gateway {
namespace {

using sea::apps::ConfigError;

bool isHostChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
}

std::string validateOpaUrl(std::string url) {
    const auto fail = [&](const char* problem) {
        return ConfigError(fmt::format("OPA_URL: {}, got \"{}\" (expected http://host[:port][/prefix])", problem, url));
    };
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) throw fail("must start with http://");
    std::size_t pos = scheme.size();
    const std::size_t hostStart = pos;
    while (pos < url.size() && isHostChar(url[pos])) ++pos;
    if (pos == hostStart) throw fail("missing host");
    if (pos < url.size() && url[pos] == ':') {
        const std::size_t portStart = ++pos;
        while (pos < url.size() && url[pos] >= '0' && url[pos] <= '9') ++pos;
        if (pos == portStart || pos - portStart > 5) throw fail("bad port");
        const int port = std::stoi(url.substr(portStart, pos - portStart));
        if (port < 1 || port > 65535) throw fail("port out of range 1..65535");
    }
    if (pos < url.size() && url[pos] != '/') throw fail("unexpected character after host");
    for (std::size_t i = pos; i < url.size(); ++i) {
        const char c = url[i];
        if (c <= ' ' || c == '?' || c == '#' || c == '"' || c == '\\' || static_cast<unsigned char>(c) >= 0x7f) {
            throw fail("path contains a character that is not allowed");
        }
    }
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

std::string validateDecisionPath(std::string path) {
    while (!path.empty() && path.front() == '/') path.erase(path.begin());
    bool ok = !path.empty() && path.back() != '/' && path.find("//") == std::string::npos;
    for (char c : path) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                             c == '-' || c == '/';
        ok = ok && allowed;
    }
    if (!ok) {
        throw ConfigError(fmt::format(
            "OPA_DECISION_PATH: must be segments of letters, digits, '_' or '-' joined by '/', e.g. sea/authz/allow, "
            "got \"{}\"",
            path));
    }
    return path;
}

}  // namespace

GatewayConfig loadGatewayConfig(const sea::apps::EnvLookup& env) {
    GatewayConfig config;
    config.opaUrl = validateOpaUrl(sea::apps::envOr(env, "OPA_URL", config.opaUrl));
    config.decisionPath = validateDecisionPath(sea::apps::envOr(env, "OPA_DECISION_PATH", config.decisionPath));
    config.opaTimeout = std::chrono::milliseconds(sea::apps::envIntInRange(env, "OPA_TIMEOUT_MS", 500, 1, 60000));
    config.port = sea::apps::envPort(env, "GATEWAY_PORT", 8080, /*allowZero=*/true);
    return config;
}

}  // namespace sea::gateway

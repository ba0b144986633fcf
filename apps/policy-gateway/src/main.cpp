// policy-gateway: HTTP front to OPA that fails closed (see gateway_service.hpp, decision.hpp).
// Exit codes: 0 after SIGTERM/SIGINT, 2 for bad configuration (one line naming the variable), 1 for
// other startup failures (e.g. the port is taken).
#include "gateway_config.hpp"
#include "gateway_service.hpp"
#include "log.hpp"
#include "stop_signal.hpp"

#include <curl/curl.h>

#include <cstdio>

int main() {
    using namespace sea::gateway;
    GatewayConfig config;
    try {
        config = loadGatewayConfig(sea::apps::processEnv());
    } catch (const sea::apps::ConfigError& error) {
        std::fprintf(stderr, "policy-gateway: %s\n", error.what());
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static sea::apps::StopSignal stop;
    sea::apps::installTerminationHandler(stop);
#ifdef SEA_MUTANT_BUILD
    sea::apps::logf("main", "WARNING: this is a MUTANT build for chaos-suite detection tests, not for production");
#endif
    try {
        GatewayServer server(config, stop);
        const int port = server.start();
        sea::apps::logf("main", "policy-gateway started: http=0.0.0.0:{} opa={} timeout={}ms", port,
                        config.decisionUrl(), config.opaTimeout.count());
        while (!stop.waitFor(std::chrono::seconds(3600))) {
        }
        server.stop();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "policy-gateway: %s\n", error.what());
        return 1;
    }
    sea::apps::logf("main", "policy-gateway stopped");
    return 0;
}

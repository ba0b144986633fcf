#pragma once
// policy-gateway's request handling and HTTP server (cpp-httplib, 32 worker threads):
//   POST /v1/authorize -> asks OPA (config.decisionUrl()) and answers per decision.hpp (fail closed)
//   GET  /healthz      -> 200 while the process runs
//   GET  /readyz       -> 200 when OPA's /health answered 200 within kReadyFreshness (a probe thread asks
//                         every kProbeInterval; successful decisions count too), else 503
//   GET  /metrics      -> Prometheus counters sea_gateway_decisions_total{decision="allow|deny|error"},
//                         sea_gateway_bad_requests_total, gauge sea_gateway_opa_ready
#include "decision.hpp"
#include "gateway_config.hpp"
#include "opa_client.hpp"
#include "stop_signal.hpp"
#ifdef SEA_MUTANT_STICKY_BREAKER
#include "sticky_breaker.hpp"
#endif

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace httplib {
class Server;
}

namespace sea::gateway {

constexpr std::chrono::milliseconds kProbeInterval{500};
constexpr std::chrono::milliseconds kReadyFreshness{1500};

struct GatewayMetrics {
    std::atomic<std::uint64_t> allow{0};
    std::atomic<std::uint64_t> deny{0};
    std::atomic<std::uint64_t> error{0};
    std::atomic<std::uint64_t> badRequests{0};
    std::string renderPrometheus(bool opaReady) const;
};

class Authorizer {
public:
    Authorizer(const GatewayConfig& config, GatewayMetrics& metrics);
    // Full handling of one POST /v1/authorize body.
    HttpAnswer authorize(const std::string& body);
    // One /health probe of OPA; records success time.
    void probeOpa();
    bool opaReady() const;
#ifdef SEA_MUTANT_LIVENESS_TIED_TO_OPA
    // MUTANT helper: one synchronous OPA /health call (what a liveness check tied to its dependency does).
    bool opaAnswersNow() {
        const auto reply = client_.get(config_.healthUrl());
        return reply.transportOk && reply.status == 200;
    }
#endif

private:
    void markOpaHealthy();

    const GatewayConfig& config_;
    GatewayMetrics& metrics_;
    OpaClient client_;
    std::atomic<std::int64_t> lastHealthyMs_{-1};  // steady_clock ms of the last OPA success
#ifdef SEA_MUTANT_STICKY_BREAKER
    StickyBreaker breaker_;  // MUTANT: opens after 3 failures, never half-opens
#endif
};

class GatewayServer {
public:
    GatewayServer(const GatewayConfig& config, const sea::apps::StopSignal& stop);
    ~GatewayServer();
    // Binds 0.0.0.0 (or `host`) and serves in background threads; returns the bound port; throws on bind failure.
    int start(const std::string& host = "0.0.0.0");
    void stop();

private:
    const GatewayConfig& config_;
    const sea::apps::StopSignal& stopSignal_;
    GatewayMetrics metrics_;
    Authorizer authorizer_;
    std::unique_ptr<httplib::Server> server_;
    std::thread serveThread_;
    std::thread probeThread_;
};

}  // namespace sea::gateway

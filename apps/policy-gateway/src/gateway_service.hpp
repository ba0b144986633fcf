#pragma once
// policy-gateway's request handling and HTTP server (cpp-httplib, 32 worker threads):
//   POST /v1/authorize -> asks OPA (config.decisionUrl()) and answers per decision.hpp (fail closed)
//   GET  /healthz      -> 200 while the process runs
//   GET  /readyz       -> 200 when OPA answered a DEFINED decision within kReadyFreshness, else 503. A probe
//                         thread asks the decision path every kProbeInterval with {"input":{}} (the policy's
//                         default makes that {"result":false}); successful decisions count too. Reachable is not
//                         enough: an OPA without its policy answers 200 {} (undefined), and is not ready; a
//                         probe or request that sees that drops readiness at once (no kReadyFreshness grace), so
//                         /readyz is 503 at most kProbeInterval after OPA first answers without its policy.
//                         Body {"ready":bool,"opa":"ready"|"unreachable"|"policy-not-loaded"}
//   GET  /metrics      -> Prometheus counters sea_gateway_decisions_total{decision="allow|deny|error"},
//                         sea_gateway_bad_requests_total, gauge sea_gateway_opa_ready (= /readyz)
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

// What the last readiness probe of OPA found.
enum class OpaProbe { Unreachable, PolicyNotLoaded, Ready };
const char* toString(OpaProbe probe);

class Authorizer {
public:
    Authorizer(const GatewayConfig& config, GatewayMetrics& metrics);
    // Full handling of one POST /v1/authorize body.
    HttpAnswer authorize(const std::string& body);
    // One readiness probe of OPA (a decision with {"input":{}}); records the success time and what it found.
    OpaProbe probeOpa();
    // A defined decision (probe or request) within kReadyFreshness.
    bool opaReady() const;
    // What OPA was last seen to be: the last probe's finding, or PolicyNotLoaded after a request got no decision.
    OpaProbe lastProbe() const { return lastProbe_.load(); }
#ifdef SEA_MUTANT_LIVENESS_TIED_TO_OPA
    // MUTANT helper: one synchronous OPA /health call (what a liveness check tied to its dependency does).
    bool opaAnswersNow() {
        const auto reply = client_.get(config_.healthUrl());
        return reply.transportOk && reply.status == 200;
    }
#endif

private:
    void markOpaHealthy();
#ifdef SEA_MUTANT_GIVES_UP
    bool givenUp();
    std::atomic<bool> gaveUp_{false};
#endif

    const GatewayConfig& config_;
    GatewayMetrics& metrics_;
    OpaClient client_;
    std::atomic<std::int64_t> lastHealthyMs_{-1};  // steady_clock ms of the last defined OPA decision
    std::atomic<OpaProbe> lastProbe_{OpaProbe::Unreachable};
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

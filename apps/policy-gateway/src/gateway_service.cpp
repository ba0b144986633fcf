#include "gateway_service.hpp"

#include "log.hpp"

#include <httplib.h>

#include <fmt/core.h>

namespace sea::gateway {
namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::string GatewayMetrics::renderPrometheus(bool opaReady) const {
    return fmt::format(
        "# HELP sea_gateway_decisions_total Authorization answers by outcome (error = OPA failure, answered deny).\n"
        "# TYPE sea_gateway_decisions_total counter\n"
        "sea_gateway_decisions_total{{decision=\"allow\"}} {}\n"
        "sea_gateway_decisions_total{{decision=\"deny\"}} {}\n"
        "sea_gateway_decisions_total{{decision=\"error\"}} {}\n"
        "# HELP sea_gateway_bad_requests_total Requests rejected with 400.\n"
        "# TYPE sea_gateway_bad_requests_total counter\n"
        "sea_gateway_bad_requests_total {}\n"
        "# HELP sea_gateway_opa_ready 1 when OPA answered a defined decision recently (reachable, policy loaded).\n"
        "# TYPE sea_gateway_opa_ready gauge\n"
        "sea_gateway_opa_ready {}\n",
        allow.load(), deny.load(), error.load(), badRequests.load(), opaReady ? 1 : 0);
}

Authorizer::Authorizer(const GatewayConfig& config, GatewayMetrics& metrics)
    : config_(config), metrics_(metrics), client_(config.opaTimeout) {}

void Authorizer::markOpaHealthy() { lastHealthyMs_.store(nowMs()); }

bool Authorizer::opaReady() const {
    const auto last = lastHealthyMs_.load();
    return last >= 0 && nowMs() - last <= kReadyFreshness.count();
}

const char* toString(OpaProbe probe) {
    switch (probe) {
        case OpaProbe::Ready:
            return "ready";
        case OpaProbe::PolicyNotLoaded:
            return "policy-not-loaded";
        case OpaProbe::Unreachable:
            break;
    }
    return "unreachable";
}

#ifdef SEA_MUTANT_GIVES_UP
// MUTANT: a retry budget: once OPA has given no defined decision for 20 s the gateway stops calling it for good
// (every answer 503 deny, never ready again), as if a long outage were permanent.
bool Authorizer::givenUp() {
    const auto last = lastHealthyMs_.load();
    if (last > 0 && nowMs() - last > 20000) gaveUp_.store(true);
    return gaveUp_.load();
}
#endif

OpaProbe Authorizer::probeOpa() {
    OpaProbe found = OpaProbe::Unreachable;
#ifdef SEA_MUTANT_GIVES_UP
    if (givenUp()) {
        lastProbe_.store(found);
        return found;
    }
#endif
#ifdef SEA_MUTANT_READY_WITHOUT_POLICY
    // MUTANT: readiness only asks whether OPA answers (/health), not whether its policy is loaded, so an OPA
    // restarted without its policy (bundle server down) reads ready while every decision is undefined.
    const auto reply = client_.get(config_.healthUrl());
    if (reply.transportOk && reply.status == 200) found = OpaProbe::Ready;
#else
    // Any input works: the policy defines the decision for every input (default), so undefined = not loaded.
    const auto reply = client_.postJson(config_.decisionUrl(), R"({"input":{}})");
    if (reply.transportOk && reply.status == 200) {
        found = interpretOpaAnswer(reply.status, reply.body).verdict == Verdict::Error ? OpaProbe::PolicyNotLoaded
                                                                                        : OpaProbe::Ready;
    }
#endif
    if (found == OpaProbe::Ready) markOpaHealthy();
    // OPA answered and has no policy: that is known now, not a transient failure, so readiness drops at once
    // instead of after kReadyFreshness (which only bridges probes lost to timeouts or a restarting OPA).
    if (found == OpaProbe::PolicyNotLoaded) lastHealthyMs_.store(-1);
    lastProbe_.store(found);
    return found;
}

HttpAnswer Authorizer::authorize(const std::string& body) {
    const auto parsed = parseAuthorizeRequest(body);
    if (const auto* invalid = std::get_if<InvalidRequest>(&parsed)) {
        metrics_.badRequests.fetch_add(1);
        return badRequest(invalid->reason);
    }
    const auto& request = std::get<AuthorizeRequest>(parsed);
#ifdef SEA_MUTANT_STICKY_BREAKER
    // MUTANT: an open breaker answers 503 deny without calling OPA, forever (no half-open trial call).
    if (breaker_.open()) {
        metrics_.error.fetch_add(1);
        return answerFor({Verdict::Error, "circuit breaker open: OPA not called"});
    }
#endif
#ifdef SEA_MUTANT_GIVES_UP
    if (givenUp()) {
        metrics_.error.fetch_add(1);
        return answerFor({Verdict::Error, "retry budget exhausted: OPA not called"});
    }
#endif
    const auto reply = client_.postJson(config_.decisionUrl(), opaInputJson(request));
    OpaOutcome outcome = reply.transportOk ? interpretOpaAnswer(reply.status, reply.body)
                                           : OpaOutcome{Verdict::Error, "OPA unreachable: " + reply.error};
    if (outcome.verdict != Verdict::Error) markOpaHealthy();
#ifndef SEA_MUTANT_READY_WITHOUT_POLICY
    // OPA answered 200 but gave no decision (undefined: no policy loaded): not ready from now on, as in probeOpa().
    if (outcome.verdict == Verdict::Error && reply.transportOk && reply.status == 200) {
        lastHealthyMs_.store(-1);
        lastProbe_.store(OpaProbe::PolicyNotLoaded);
    }
#endif
#ifdef SEA_MUTANT_STICKY_BREAKER
    breaker_.record(outcome.verdict != Verdict::Error);
#endif
#ifdef SEA_MUTANT_FAIL_OPEN
    // MUTANT: fails open, answering allow when OPA errors or times out.
    if (outcome.verdict == Verdict::Error) outcome = {Verdict::Allow, {}};
#endif
    switch (outcome.verdict) {
        case Verdict::Allow:
            metrics_.allow.fetch_add(1);
            break;
        case Verdict::Deny:
            metrics_.deny.fetch_add(1);
            break;
        case Verdict::Error:
            metrics_.error.fetch_add(1);
            sea::apps::logf("authz", "deny (fail closed): {}", outcome.reason);
            break;
    }
    return answerFor(outcome);
}

GatewayServer::GatewayServer(const GatewayConfig& config, const sea::apps::StopSignal& stop)
    : config_(config), stopSignal_(stop), authorizer_(config, metrics_), server_(std::make_unique<httplib::Server>()) {}

GatewayServer::~GatewayServer() { stop(); }

int GatewayServer::start(const std::string& host) {
    server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
    server_->set_tcp_nodelay(true);  // answers are small: no Nagle delay
    server_->Post("/v1/authorize", [this](const httplib::Request& req, httplib::Response& res) {
        const auto answer = authorizer_.authorize(req.body);
        res.status = answer.status;
        res.set_content(answer.body, "application/json");
    });
    server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
#ifdef SEA_MUTANT_LIVENESS_TIED_TO_OPA
        // MUTANT: liveness checks a dependency: /healthz asks OPA's /health on every call and fails with it, so
        // the orchestrator restarts a healthy gateway whenever OPA has a hiccup.
        if (!authorizer_.opaAnswersNow()) {
            res.status = 503;
            res.set_content("opa unreachable\n", "text/plain");
            return;
        }
#endif
        res.set_content("ok\n", "text/plain");
    });
    server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
        const bool ready = authorizer_.opaReady();
        const OpaProbe last = authorizer_.lastProbe();
        const OpaProbe shown = ready ? OpaProbe::Ready : (last == OpaProbe::Ready ? OpaProbe::Unreachable : last);
        res.status = ready ? 200 : 503;
        res.set_content(fmt::format(R"({{"ready":{},"opa":"{}"}})", ready ? "true" : "false", toString(shown)),
                        "application/json");
    });
    server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(metrics_.renderPrometheus(authorizer_.opaReady()), "text/plain; version=0.0.4");
    });
    int bound = config_.port;
    if (bound == 0) {
        bound = server_->bind_to_any_port(host);
        if (bound <= 0) throw std::runtime_error(fmt::format("GATEWAY_PORT: cannot bind {}:0", host));
    } else if (!server_->bind_to_port(host, bound)) {
        throw std::runtime_error(fmt::format("GATEWAY_PORT: cannot bind {}:{}", host, bound));
    }
    serveThread_ = std::thread([this] { server_->listen_after_bind(); });
    probeThread_ = std::thread([this] {
        bool wasReady = false;
        OpaProbe wasFound = OpaProbe::Unreachable;
        do {
            const OpaProbe found = authorizer_.probeOpa();
            const bool ready = authorizer_.opaReady();
            if (ready != wasReady || found != wasFound) {
                sea::apps::logf("opa", "{} ({})", toString(found), ready ? "ready" : "not ready");
            }
            wasReady = ready;
            wasFound = found;
        } while (!stopSignal_.waitFor(kProbeInterval));
    });
    return bound;
}

void GatewayServer::stop() {
    if (server_) server_->stop();
    if (serveThread_.joinable()) serveThread_.join();
    if (probeThread_.joinable()) probeThread_.join();
}

}  // namespace sea::gateway

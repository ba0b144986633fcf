#include "gateway_scenario.hpp"

#include "sea/fixtures/env.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace sea::chaos {

using namespace std::chrono_literals;
using fixtures::Observation;
using fixtures::Op;
using probes::HttpOutcome;

fixtures::Outcome Answer::outcome() const { return http.outcome == HttpOutcome::ok ? fixtures::Outcome::ok : fixtures::Outcome::fail; }

std::string Answer::describe() const {
    return fmt::format("{} -> {} {} decision='{}' in {} ms", allowed_request ? "alice" : "mallory", probes::to_string(http.outcome), http.status,
                       decision, http.latency.count() / 1000);
}

namespace {
std::string request_body(const Request& r) {
    return nlohmann::json{{"subject", r.subject}, {"action", r.action}, {"resource", r.resource}}.dump();
}
}  // namespace

Answer authorize(const std::string& gateway, const Request& r, std::chrono::milliseconds timeout) {
    Answer a{r.policy_allows, probes::http_post(gateway + "/v1/authorize", request_body(r), "application/json", timeout), ""};
    const auto body = nlohmann::json::parse(a.http.body, nullptr, false);
    if (a.http.outcome == HttpOutcome::ok && body.is_object() && body.contains("decision") && body["decision"].is_string()) {
        a.decision = body["decision"];
    }
    return a;
}

GatewayScenario::GatewayScenario(std::string name, const fixtures::Profile& profile)
    : ScenarioTest(fixtures::ScenarioSpec{.name = std::move(name), .profile = profile, .env = {}}),
      gateway_url_(spec().profile.url("gateway")),  // SEA_GATEWAY_PORT
      opa_url_(spec().profile.url("opa")),          // SEA_OPA_PORT
      answer_budget_(fixtures::env_int("CHAOS_GATEWAY_OPA_TIMEOUT_MS", 500, 1, 60000) + 1500) {}

void GatewayScenario::check_steady_state() {
    steady("gateway live and ready", 60s, [&] {
        const auto live = probes::http_get(gateway_url_ + "/healthz", 1s);
        const auto ready = probes::http_get(gateway_url_ + "/readyz", 1s);
        return Observation(live.ok() && ready.ok(), fmt::format("healthz {} readyz {}", live.status, ready.status));
    });
    steady("decisions correct before the fault", 30s, [&] {
        const auto v = decisions_correct();
        return Observation(v.valid(), v.evidence);
    });
}

void GatewayScenario::record_gateway(int parallel, std::chrono::milliseconds interval) {
    for (int loop = 0; loop < parallel; ++loop) {
        const auto name = parallel == 1 ? std::string("gateway") : fmt::format("gateway-{}", loop + 1);
        answer_loops_.push_back(&record<Answer>(name, fixtures::every(interval), [this, loop](std::uint64_t i) {
            return authorize(gateway_url_, (i + static_cast<std::uint64_t>(loop)) % 2 == 0 ? kAlice : kMallory, answer_budget_);
        }));
    }
    opa_ = &record<HttpAnswer>("opa", fixtures::every(20ms), [this](std::uint64_t) { return HttpAnswer{probes::http_get(opa_url_ + "/health", 200ms)}; });
    liveness_ = &record<HttpAnswer>("liveness", fixtures::every(50ms),
                                    [this](std::uint64_t) { return HttpAnswer{probes::http_get(gateway_url_ + "/healthz", answer_budget_)}; });
    readiness_ = &record<HttpAnswer>("readiness", fixtures::every(50ms),
                                     [this](std::uint64_t) { return HttpAnswer{probes::http_get(gateway_url_ + "/readyz", answer_budget_)}; });
}

std::vector<Op<Answer>> GatewayScenario::answers() const {
    std::vector<Op<Answer>> all;
    for (const auto* loop : answer_loops_) {
        auto ops = loop->ops();
        all.insert(all.end(), ops.begin(), ops.end());
    }
    std::stable_sort(all.begin(), all.end(), [](const Op<Answer>& x, const Op<Answer>& y) { return x.sent < y.sent; });
    return all;
}

std::optional<fixtures::Window> GatewayScenario::opa_down_window() const {
    const auto ops = opa_->ops();
    auto w = check::window_of(ops, [](const Op<HttpAnswer>& op) { return !op.ok(); });
    if (!w) return w;
    // Starts when the first failed probe ENDED: a probe that timed out proves no answer came for 200 ms, not that OPA
    // was gone when it was sent (a clean-clone run saw the gateway's call, sent 1 ms after such a probe, answered
    // by OPA). Ends when the last failed probe was SENT (soak 2026-12-02: a timed-out probe spanned real answers).
    for (const auto& op : ops) {
        if (!op.ok()) {
            w->from = std::min(op.answered, w->to);
            break;
        }
    }
    return w;
}

check::Verdict GatewayScenario::decisions_correct() const {
    const auto alice = authorize(gateway_url_, kAlice, answer_budget_);
    const auto mallory = authorize(gateway_url_, kMallory, answer_budget_);
    const auto direct = probes::http_post(opa_url_ + "/v1/data/sea/authz/allow", R"({"input":)" + request_body(kAlice) + "}", "application/json", 1s);
    const auto opa_body = nlohmann::json::parse(direct.body, nullptr, false);
    const bool policy_loaded = direct.ok() && opa_body.is_object() && opa_body.value("result", false) == true;
    const auto evidence = fmt::format("{}; {}; opa direct {} {}", alice.describe(), mallory.describe(), direct.status, direct.body.substr(0, 80));
    return alice.decision == "allow" && mallory.decision == "deny" && policy_loaded ? check::valid(evidence) : check::invalid(evidence);
}

check::Verdict GatewayScenario::fails_closed(const std::optional<fixtures::Window>& outage, std::size_t min_outage_ops) const {
    const auto all = answers();
    const auto in_outage = check::during(all, outage);
    const auto allow = [](const Op<Answer>& op) { return op.value.decision == "allow"; };
    auto v = check::compose({
        {"answered", check::all_ok(all)},
        {"allow or deny", check::always(all, "decision is allow or deny", [](const Op<Answer>& op) { return op.value.decision == "allow" || op.value.decision == "deny"; })},
        {"policy", check::never(all, "allow against the policy", [&](const Op<Answer>& op) { return allow(op) && !op.value.allowed_request; })},
        {"outage", check::never(in_outage, "allow while OPA was unavailable", allow, min_outage_ops)},
        {"fail-closed", check::seen(in_outage, "503 deny", [](const Op<Answer>& op) { return op.value.http.status == 503 && op.value.decision == "deny"; })},
    });
    v.measures["outage_ms"] = outage ? static_cast<double>(outage->length().count()) : 0.0;
    v.measures["answers_in_outage"] = static_cast<double>(in_outage.size());
    return v;
}

check::Verdict GatewayScenario::readiness_followed(const std::optional<fixtures::Window>& outage, bool throughout) const {
    const auto in_outage = check::during(readiness(), outage);
    const auto not_ready = [](const Op<HttpAnswer>& op) { return op.value.http.status == 503; };
    auto during = throughout ? check::always(in_outage, "/readyz 503", not_ready, kMinOutageOps) : check::seen(in_outage, "/readyz 503", not_ready);
    // The outage is over: what readiness said during it can no longer change, so a violation there is final.
    const bool final = during.validity == check::Validity::invalid;
    const auto now = probes::http_get(gateway_url_ + "/readyz", answer_budget_);
    const auto ready_now = fmt::format("/readyz now {} {}", now.status, now.body.substr(0, 60));
    auto v = check::compose({
        {"not-ready in outage", std::move(during)},
        {"ready after heal", now.ok() ? check::valid(ready_now) : check::invalid(ready_now)},
    });
    v.final = final;
    return v;
}

}  // namespace sea::chaos

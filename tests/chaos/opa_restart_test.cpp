// Scenario opa_restart (profile chaos-opa): `docker restart sea-opa` while policy-gateway serves decisions.
//
// Invariants
//  (a) never-allow-while-opa-down: no answer is ever "allow" for a request the policy denies (mallory), no
//      answer is "allow" while OPA is unavailable (the window between the first and the last failed direct OPA
//      probe), and every answer arrives within the gateway's OPA timeout + 100 ms (no hangs);
//  (b) liveness-stays-up: the gateway's /healthz answers 200 throughout;
//  (c) decisions-return: after OPA is back, alice is allowed and mallory denied again through the gateway, and
//      OPA itself answers the known decision (its policy is loaded).
#include "sea/fixtures/env.hpp"
#include "sea/fixtures/fault.hpp"
#include "sea/fixtures/probe_loop.hpp"
#include "sea/fixtures/scenario.hpp"
#include "sea/probes/http_probe.hpp"

#include "samples.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;
using probes::HttpOutcome;

struct Request {
    const char* subject;
    const char* action;
    const char* resource;
    bool policy_allows;
};
constexpr Request kAlice{"alice", "read", "events", true};      // infra/opa/policy: alice is a reader
constexpr Request kMallory{"mallory", "delete", "events", false};  // no role at all

struct Answer {
    bool allowed_request = false;
    HttpOutcome outcome = HttpOutcome::other_error;
    long status = 0;
    std::string decision;  // "allow", "deny" or "" when the body had none
    std::chrono::microseconds latency{0};
};

std::string request_body(const Request& r) {
    return nlohmann::json{{"subject", r.subject}, {"action", r.action}, {"resource", r.resource}}.dump();
}

Answer authorize(const std::string& gateway, const Request& r, std::chrono::milliseconds timeout) {
    const auto http = probes::http_post(gateway + "/v1/authorize", request_body(r), "application/json", timeout);
    Answer a{r.policy_allows, http.outcome, http.status, "", http.latency};
    if (http.outcome == HttpOutcome::ok) {
        const auto body = nlohmann::json::parse(http.body, nullptr, false);
        if (body.is_object() && body.contains("decision") && body["decision"].is_string()) a.decision = body["decision"];
    }
    return a;
}

std::string describe(const Answer& a) {
    return fmt::format("{} -> {} {} decision='{}' in {} ms", a.allowed_request ? "alice" : "mallory", probes::to_string(a.outcome),
                       a.status, a.decision, a.latency.count() / 1000);
}

class OpaRestart : public fixtures::ScenarioTest {
protected:
    OpaRestart()
        : ScenarioTest(fixtures::ScenarioSpec{
              .name = "opa_restart",
              .profile = fixtures::profiles::opa(),
              .env = {},
          }) {}

    void check_steady_state() override {
        steady("gateway live and ready", 60s, [&] {
            const auto live = probes::http_get(gateway_ + "/healthz", 1s);
            const auto ready = probes::http_get(gateway_ + "/readyz", 1s);
            return Observation(live.ok() && ready.ok(), fmt::format("healthz {} readyz {}", live.status, ready.status));
        });
        steady("decisions correct before the fault", 30s, [&] { return decisions_correct(); });
    }

    // alice allowed, mallory denied through the gateway, and OPA's own answer for alice is true.
    Observation decisions_correct() {
        const auto alice = authorize(gateway_, kAlice, answer_budget_);
        const auto mallory = authorize(gateway_, kMallory, answer_budget_);
        const auto direct = probes::http_post(opa_ + "/v1/data/sea/authz/allow",
                                              R"({"input":)" + request_body(kAlice) + "}", "application/json", 1s);
        const auto opa_body = nlohmann::json::parse(direct.body, nullptr, false);
        const bool policy_loaded = direct.ok() && opa_body.is_object() && opa_body.value("result", false) == true;
        return Observation(alice.decision == "allow" && mallory.decision == "deny" && policy_loaded,
                           fmt::format("{}; {}; opa direct {} {}", describe(alice), describe(mallory), direct.status,
                                       direct.body.substr(0, 80)));
    }

    const std::string gateway_ = spec().profile.url("gateway");  // SEA_GATEWAY_PORT
    const std::string opa_ = spec().profile.url("opa");          // SEA_OPA_PORT
    // The gateway's per-request OPA timeout (compose: OPA_TIMEOUT_MS=500) + 100 ms of its own work: an answer
    // slower than this is a hang.
    const std::chrono::milliseconds answer_budget_{fixtures::env_int("CHAOS_GATEWAY_OPA_TIMEOUT_MS", 500, 1, 60000) + 100};
};

TEST_F(OpaRestart, GatewayFailsClosedAndRecovers) {
    Samples<Answer> answers;
    Samples<bool> opa_up;
    Samples<probes::HttpResult> liveness;
    const fixtures::ProbeLoopLimits limits{.interval = 20ms, .max_iterations = 9000, .max_duration = 150s};

    fixtures::ProbeLoop gateway_loop("gateway decisions", limits, [&](std::uint64_t i) {
        const auto sent = Clock::now();
        auto answer = authorize(gateway_, i % 2 == 0 ? kAlice : kMallory, answer_budget_);
        timeline().event("gateway", answer.outcome == HttpOutcome::ok, answer.latency, describe(answer));
        answers.add(sent, std::move(answer));
    });
    fixtures::ProbeLoop opa_loop("opa direct", limits, [&](std::uint64_t) {
        const auto sent = Clock::now();
        const auto health = probes::http_get(opa_ + "/health", 200ms);
        timeline().event("opa", health.ok(), health.latency, probes::to_string(health.outcome));
        opa_up.add(sent, health.ok());
    });
    fixtures::ProbeLoop live_loop("gateway liveness", {.interval = 50ms, .max_iterations = 4000, .max_duration = 150s},
                                  [&](std::uint64_t) {
                                      const auto sent = Clock::now();
                                      auto live = probes::http_get(gateway_ + "/healthz", answer_budget_);
                                      timeline().event("liveness", live.ok(), live.latency, std::to_string(live.status));
                                      liveness.add(sent, std::move(live));
                                  });

    // The fault took effect when the container was really restarted (StartedAt moved) and OPA was seen down.
    auto& restart = make_fault<fixtures::ContainerRestart>("sea-opa");
    const auto opa_was_down = [&] {
        for (const auto& s : opa_up.snapshot()) {
            if (!s.value) return true;
        }
        return false;
    };
    ASSERT_TRUE(inject(restart, 10s, [&] {
        std::string evidence;
        const bool restarted = restart.verify_injected(evidence);
        const bool seen_down = opa_was_down();
        return Observation(restarted && seen_down, fmt::format("{}; opa seen down by the probe: {}", evidence, seen_down));
    }));
    heal();  // a restart heals itself; this only records the phase (and starts OPA if the restart left it stopped)

    // (c) OPA's start takes < 1 s here and the gateway re-probes OPA on every request; 60 s (the shortest
    // deadline the suite allows) leaves room for a slow machine without hiding a gateway that never recovers.
    invariant_eventually("c decisions-return", 60s, [&] { return decisions_correct(); });
    recovered();
    gateway_loop.stop();
    opa_loop.stop();
    live_loop.stop();

    // The outage window: from the sending of the first failed direct OPA probe to the sending of the last one.
    // A failed probe proves OPA unavailable when it was sent, not until its answer: a probe that times out
    // (200 ms) through docker-proxy while OPA is starting inside the network was seen spanning real OPA answers
    // to the gateway (soak 2026-12-02: gateway allow at +2123 ms from OPA, direct probe sent +1942 timed out
    // +2142), which counted a correct allow as "allow while OPA was down".
    std::optional<Clock::time_point> down_from, down_to;
    for (const auto& s : opa_up.snapshot()) {
        if (s.value) continue;
        if (!down_from) down_from = s.sent;
        down_to = s.sent;
    }
    const auto all = answers.snapshot();
    std::vector<std::string> violations;
    std::size_t during_outage = 0, fail_closed = 0;
    for (const auto& s : all) {
        const auto& a = s.value;
        const bool in_outage = down_from && s.sent >= *down_from && s.answered <= *down_to;
        during_outage += in_outage ? 1 : 0;
        if (a.outcome != HttpOutcome::ok) {
            violations.push_back("no answer within " + std::to_string(answer_budget_.count()) + " ms: " + describe(a));
        } else if (a.decision == "allow" && (!a.allowed_request || in_outage)) {
            violations.push_back(std::string(in_outage ? "allow while OPA was down: " : "allow against the policy: ") + describe(a));
        } else if (a.decision != "allow" && a.decision != "deny") {
            violations.push_back("neither allow nor deny: " + describe(a));
        }
        if (in_outage && a.status == 503 && a.decision == "deny") ++fail_closed;
    }
    const auto window_ms = down_from ? ms_between(*down_from, *down_to) : 0;
    invariant_verdict("a never-allow-while-opa-down", violations.empty() && fail_closed > 0,
                      fmt::format("{} answers, {} during the {} ms outage ({} fail-closed 503 deny); {} violation(s){}{}", all.size(),
                                  during_outage, window_ms, fail_closed, violations.size(), violations.empty() ? "" : ": ",
                                  violations.empty() ? "" : fmt::format("{}", fmt::join(violations.begin(),
                                                                                       violations.begin() + std::min<std::size_t>(5, violations.size()), "; "))));

    std::vector<std::string> down_answers;
    const auto live = liveness.snapshot();
    for (const auto& s : live) {
        if (!s.value.ok()) down_answers.push_back(fmt::format("{} {}", probes::to_string(s.value.outcome), s.value.status));
    }
    invariant_verdict("b liveness-stays-up", down_answers.empty() && !live.empty(),
                      fmt::format("{} liveness probes, {} not 200{}{}", live.size(), down_answers.size(), down_answers.empty() ? "" : ": first ",
                                  down_answers.empty() ? "" : down_answers.front()));
}

}  // namespace
}  // namespace sea::chaos

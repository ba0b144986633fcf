#include "profiles.hpp"

#include "sea/fixtures/cleanup.hpp"
#include "sea/fixtures/env.hpp"
#include "sea/fixtures/log.hpp"
#include "sea/fixtures/preflight.hpp"
#include "sea/fixtures/profile.hpp"
#include "sea/fixtures/scenario.hpp"
#include "sea/fixtures/stack.hpp"
#include "sea/probes/db_probe.hpp"
#include "sea/probes/http_probe.hpp"
#include "sea/probes/jetstream_probe.hpp"
#include "sea/probes/process.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

namespace sea::bench {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;
using Clock = std::chrono::steady_clock;

constexpr const char* kOutboxSubject = "sea.outbox.bench";  // inside the worker's OUTBOX_SUBJECTS=sea.outbox.>
constexpr const char* kBenchStream = "SEA_BENCH";
constexpr const char* kAliceDecision = R"({"input":{"subject":"alice","action":"read","resource":"events"}})";

double ms_since(Clock::time_point start) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count()) / 1000.0;
}

// Brings `profile` up (the scenarios' Profile: same ports, images and host-side readiness), runs
// `body(stack, result)`, takes it down; timings and errors go into the result.
ProfileResult with_profile(const fixtures::Profile& profile, const std::function<void(fixtures::Stack&, ProfileResult&)>& body) {
    ProfileResult result;
    result.profile = profile.name;
    try {
        fixtures::PreflightSpec check;
        check.ports = profile.host_ports();
        for (const auto& variable : profile.image_variables) {
            if (auto image = fixtures::resolve_image(variable)) check.images.push_back(*image);
        }
        const auto pre = fixtures::preflight(check);
        if (!pre.ok()) throw std::runtime_error(fmt::format("preflight failed for {}:\n{}", profile.name, fmt::join(pre.failures(), "\n")));

        fixtures::Stack stack(profile.stack_options("seachaosbench"));
        fixtures::RegisteredStack registered(stack);  // a signal takes it down (fixtures/cleanup.hpp)
        fixtures::log_line("bench: bringing up " + profile.name);
        const auto up_start = Clock::now();
        try {
            stack.up(fixtures::Deadline::in(180s));
            result.up_ms = ms_since(up_start);
            body(stack, result);
        } catch (const std::exception& e) {
            result.error = e.what();
        }
        const auto down_start = Clock::now();
        registered.take_down();  // under the cleanup registry's lock: a signal meanwhile waits, then finds nothing to do
        result.down_ms = ms_since(down_start);
    } catch (const std::exception& e) {
        if (result.error.empty()) result.error = e.what();
    }
    if (!result.error.empty()) fixtures::log_line("bench: " + profile.name + ": " + result.error);
    return result;
}

// Every container of the stack running and every host-side readiness probe of the profile met (the same
// readiness Stack::up() waits for).
Observation stack_ready(const fixtures::Stack& stack, const fixtures::Profile& profile) {
    std::string not_ready;
    for (const auto& c : stack.containers()) {
        const auto s = c.state();
        if (s.status != "running") not_ready += fmt::format(" {}={}", c.name(), s.status);
    }
    for (const auto& r : profile.readiness()) {
        const auto seen = r.probe();
        if (!seen.met) not_ready += fmt::format(" {}: {}", r.service, seen.observed);
    }
    return Observation(not_ready.empty(), not_ready.empty() ? "all ready" : "not ready:" + not_ready);
}

CallOutcome from_insert(const probes::InsertResult& r) {
    return {r.committed(), r.committed() ? "" : probes::to_string(r.outcome) + " " + r.sqlstate + " " + r.error};
}

CallOutcome from_process(const probes::ProcessResult& r) { return {r.ok(), r.ok() ? "" : r.describe()}; }

bool opa_allows_alice(const std::string& opa_url, std::chrono::milliseconds timeout, std::string* observed = nullptr) {
    const auto r = probes::http_post(opa_url + "/v1/data/sea/authz/allow", kAliceDecision, "application/json", timeout);
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    const bool ok = r.ok() && body.is_object() && body.value("result", false) == true;
    if (observed) *observed = fmt::format("{} {} {}", probes::to_string(r.outcome), r.status, r.body.substr(0, 60));
    return ok;
}

}  // namespace

ProfileResult run_outbox_profile(const BenchConfig& config) {
    const auto& profile = fixtures::profiles::outbox();
    return with_profile(profile, [&](fixtures::Stack& stack, ProfileResult& result) {
        const auto pg = profile.url("postgres");
        const auto nats_url = profile.url("nats");
        if (config.probes) {
            const auto row = [] { return probes::OutboxRow{probes::new_uuid(), "bench", kOutboxSubject, R"({"bench":true})"}; };
            probes::DbConnection connection(pg);
            result.probes.push_back(run_probe_bench("libpq insert, reused DbConnection", "library", "postgres insert", config.iterations,
                                                    config.row_budget, [&] { return from_insert(connection.insert_outbox_row(row(), 2s)); }));
            result.probes.push_back(run_probe_bench("libpq insert, one-shot insert_outbox_row", "library", "postgres insert",
                                                    config.iterations, config.row_budget,
                                                    [&] { return from_insert(probes::insert_outbox_row(pg, row(), 2s)); }));
            result.probes.push_back(run_probe_bench("docker exec sea-postgres psql -c INSERT", "cli", "postgres insert", config.cli_iterations,
                                                    config.row_budget, [&] {
                const auto sql = fmt::format("INSERT INTO outbox_events (id, aggregate, subject, payload) VALUES ('{}', 'bench', '{}', '{{}}')",
                                             probes::new_uuid(), kOutboxSubject);
                return from_process(probes::run_process(
                    {"docker", "exec", "sea-postgres", "psql", "-U", "sea", "-d", "sea", "-v", "ON_ERROR_STOP=1", "-qc", sql}, 10s));
            }));

            auto connected = probes::JetStreamClient::connect(nats_url, 5s);
            if (!connected) throw std::runtime_error("JetStream connect to " + nats_url + ": " + connected.error);
            const auto& js = *connected.client;
            probes::StreamConfig stream;
            stream.name = kBenchStream;
            stream.subjects = {"sea.bench.>"};
            stream.storage = probes::StreamStorage::memory;
            stream.max_msgs = 100000;
            const auto made = js.ensure_stream(stream, 10s);
            if (!made.ok) throw std::runtime_error(std::string("creating stream ") + kBenchStream + ": " + made.error);
            result.probes.push_back(run_probe_bench("cnats JetStream publish + ack", "library", "jetstream publish", config.iterations,
                                                    config.row_budget, [&] {
                const auto r = js.publish("sea.bench.probe", R"({"bench":true})", probes::new_uuid(), 2s);
                return CallOutcome{r.acked, r.error};
            }));
        }
        if (config.detect) {
            auto loop_connection = std::make_shared<probes::DbConnection>(pg);
            DetectSpec spec;
            spec.component = "postgres";
            spec.container = "sea-postgres";
            spec.truth_what = "one-shot libpq SELECT 1 (timeout 200 ms)";
            spec.truth = [pg] { return probes::db_query(pg, "SELECT 1", 200ms).ok; };
            spec.suite_what = "eventually(db_query SELECT 1, 2 s), default Backoff, started when `docker restart` returned";
            spec.suite_probe = [pg] {
                const auto r = probes::db_query(pg, "SELECT 1", 2s);
                return Observation(r.ok, r.ok ? "ok" : r.error);
            };
            spec.loop_what = "reused DbConnection SELECT 1 every 10 ms (postgres_restart_outbox producer interval)";
            spec.loop_probe = [loop_connection] { return loop_connection->query("SELECT 1", 1s).ok; };
            spec.loop_interval = 10ms;
            spec.stack_ready = [&stack, &profile] { return stack_ready(stack, profile); };
            spec.repetitions = config.restarts;
            result.detect = run_restart_detection(spec);
        }
    });
}

ProfileResult run_opa_profile(const BenchConfig& config) {
    const auto& profile = fixtures::profiles::opa();
    return with_profile(profile, [&](fixtures::Stack& stack, ProfileResult& result) {
        const auto opa = profile.url("opa");
        if (config.probes) {
            result.probes.push_back(run_probe_bench("libcurl http_get OPA /health", "library", "opa health", config.iterations, config.row_budget,
                                                    [&] {
                                                        const auto r = probes::http_get(opa + "/health", 1s);
                                                        return CallOutcome{r.ok(), r.ok() ? "" : probes::to_string(r.outcome) + " " + r.error};
                                                    }));
            result.probes.push_back(run_probe_bench("curl -fsS OPA /health", "cli", "opa health", config.cli_iterations, config.row_budget, [&] {
                return from_process(probes::run_process({"curl", "-fsS", "--max-time", "2", "-o", "/dev/null", opa + "/health"}, 5s));
            }));
            result.probes.push_back(run_probe_bench("libcurl http_post OPA decision", "library", "opa decision", config.iterations,
                                                    config.row_budget, [&] {
                                                        std::string observed;
                                                        const bool ok = opa_allows_alice(opa, 1s, &observed);
                                                        return CallOutcome{ok, ok ? "" : observed};
                                                    }));
        }
        if (config.detect) {
            DetectSpec spec;
            spec.component = "opa";
            spec.container = "sea-opa";
            spec.truth_what = "POST /v1/data/sea/authz/allow answers result=true (timeout 50 ms)";
            spec.truth = [opa] { return opa_allows_alice(opa, 50ms); };
            spec.suite_what = "eventually(OPA decision for alice, 1 s), default Backoff, started when `docker restart` returned";
            spec.suite_probe = [opa] {
                std::string observed;
                const bool ok = opa_allows_alice(opa, 1s, &observed);
                return Observation(ok, observed);
            };
            spec.loop_what = "GET /health (timeout 200 ms) every 20 ms (opa_restart's direct OPA loop)";
            spec.loop_probe = [opa] { return probes::http_get(opa + "/health", 200ms).ok(); };
            spec.loop_interval = 20ms;
            spec.stack_ready = [&stack, &profile] { return stack_ready(stack, profile); };
            spec.repetitions = config.restarts;
            result.detect = run_restart_detection(spec);
        }
    });
}

ProfileResult run_bringup_only(const fixtures::Profile& profile) {
    return with_profile(profile, [](fixtures::Stack&, ProfileResult&) {});
}

}  // namespace sea::bench

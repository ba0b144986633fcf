// The live parts of the benchmark, one compose profile at a time (the caller holds the MachineLock):
//   chaos-outbox: libpq inserts (reused / one-shot) vs `docker exec sea-postgres psql`, JetStream publish+ack,
//                 and time-to-detect after `docker restart sea-postgres`;
//   chaos-opa:    libcurl GET /health and POST decision vs `curl -fsS /health`, and time-to-detect after
//                 `docker restart sea-opa`.
// Each run brings its profile up (preflight first: images and free ports, a failure names them), measures, and
// takes it down, timing both. It never throws: problems land in ProfileResult::error and the rest still runs.
#pragma once

#include "detect_run.hpp"
#include "probe_bench.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sea::bench {

struct BenchConfig {
    int iterations = 500;        // BENCH_ITERATIONS: library probe calls per row
    int cli_iterations = 50;     // BENCH_CLI_ITERATIONS: CLI calls per row
    int restarts = 5;            // BENCH_RESTARTS: restart repetitions per component
    bool probes = true;          // BENCH_PARTS contains "probes"
    bool detect = true;          // BENCH_PARTS contains "detect"
    std::chrono::milliseconds row_budget{std::chrono::seconds(120)};  // time bound of one probe row
    std::string pg_url = "postgresql://sea:sea-chaos-local@127.0.0.1:5432/sea";  // CHAOS_POSTGRES_URL
    std::string nats_url = "nats://127.0.0.1:4222";                             // CHAOS_NATS_URL
    std::string opa_url = "http://127.0.0.1:8181";                              // CHAOS_OPA_URL
};

struct ProfileResult {
    std::string profile;
    std::optional<double> up_ms, down_ms;  // Stack::up() until healthy; Stack::down()
    std::vector<ProbeBenchResult> probes;
    std::optional<DetectReport> detect;
    std::string error;                     // "" when everything ran
};

ProfileResult run_outbox_profile(const BenchConfig& config);
ProfileResult run_opa_profile(const BenchConfig& config);

}  // namespace sea::bench

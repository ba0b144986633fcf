// The live parts of the benchmark, one compose profile at a time (the caller holds the MachineLock):
//   chaos-outbox: libpq inserts (reused / one-shot) vs `docker exec sea-postgres psql`, JetStream publish+ack,
//                 and time-to-detect after `docker restart sea-postgres`;
//   chaos-opa:    libcurl GET /health and POST decision vs `curl -fsS /health`, and time-to-detect after
//                 `docker restart sea-opa`;
//   chaos-observe and the NATS mesh: bring-up and tear-down times only.
// Every profile is the scenarios' fixtures::Profile: the same ports, images and host-side readiness.
// Each run brings its profile up (preflight first: images and free ports, a failure names them), measures, and
// takes it down, timing both. It never throws: problems land in ProfileResult::error and the rest still runs.
#pragma once

#include "detect_run.hpp"
#include "probe_bench.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sea::fixtures {
struct Profile;
}

namespace sea::bench {

struct BenchConfig {
    int iterations = 500;        // BENCH_ITERATIONS: library probe calls per row
    int cli_iterations = 50;     // BENCH_CLI_ITERATIONS: CLI calls per row
    int restarts = 5;            // BENCH_RESTARTS: restart repetitions per component
    bool probes = true;          // BENCH_PARTS contains "probes"
    bool detect = true;          // BENCH_PARTS contains "detect"
    std::chrono::milliseconds row_budget{std::chrono::seconds(120)};  // time bound of one probe row
    // URLs and ports come from the scenarios' Profiles (fixtures/profile.hpp): SEA_*_PORT moves them.
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
// Bring-up and tear-down time only (chaos-observe, the mesh): no probes measured.
ProfileResult run_bringup_only(const fixtures::Profile& profile);

}  // namespace sea::bench

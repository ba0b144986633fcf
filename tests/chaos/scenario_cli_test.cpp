// The chaos binaries' answers to bad input, checked without docker (they must fail before touching it):
// an unknown CHAOS_SCENARIO and a malformed URL in an env var each fail with one line naming the problem;
// CHAOS_SCENARIO naming another scenario skips this one.
#include "sea/probes/process.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

sea::probes::ProcessResult run_opa_restart(std::map<std::string, std::string> env) {
    sea::probes::ProcessOptions options;
    options.env = std::move(env);
    return sea::probes::run_process({SEA_CHAOS_OPA_RESTART_BIN}, 60s, options);
}

TEST(ScenarioCli, UnknownScenarioNameFailsNamingTheKnownOnes) {
    const auto r = run_opa_restart({{"CHAOS_SCENARIO", "opa_restrat"}});
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("CHAOS_SCENARIO: unknown scenario 'opa_restrat'"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("postgres_restart_outbox"), std::string::npos) << "the known scenarios are listed: " << r.out;
}

TEST(ScenarioCli, AnotherScenarioSelectedSkipsThisOne) {
    const auto r = run_opa_restart({{"CHAOS_SCENARIO", "postgres_restart_outbox"}});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("[  SKIPPED ]"), std::string::npos) << r.out;
}

TEST(ScenarioCli, MalformedUrlFailsNamingTheVariable) {
    const auto r = run_opa_restart({{"CHAOS_GATEWAY_URL", "localhost-8080"}});
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("CHAOS_GATEWAY_URL"), std::string::npos) << r.out;
}

}  // namespace

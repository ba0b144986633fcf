// validate_inputs: every bad input is one "BAD INPUT: <variable>: <problem>; <fix>" line, all problems at once,
// nothing created; the pieces (run id, image reference, compose variables, override files, image choice).
#include "sea/testsupport/scoped_env.hpp"
#include "sea/fixtures/inputs.hpp"

#include "sea/fixtures/env.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <unistd.h>

using namespace sea::fixtures;

namespace {

using sea::testsupport::ScopedEnv;

ScenarioSpec opa_spec() {
    ScenarioSpec spec;
    spec.name = "opa_restart";
    spec.profile = profiles::opa();
    return spec;
}

std::filesystem::path temp_file(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("sea-inputs-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path) << text;
    return path;
}

bool has_line_starting(const std::vector<std::string>& lines, const std::string& prefix) {
    for (const auto& line : lines) {
        if (line.rfind(prefix, 0) == 0) return true;
    }
    return false;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
}

}  // namespace

TEST(FixturesInputs, RunIdRuleMatchesTheLedgerAndLabels) {
    EXPECT_FALSE(run_id_problem(""));
    EXPECT_FALSE(run_id_problem("ci-42.retry_1"));
    EXPECT_TRUE(run_id_problem("my run"));
    EXPECT_TRUE(run_id_problem("a/b"));
    EXPECT_TRUE(run_id_problem(std::string(65, 'x')));
    EXPECT_FALSE(run_id_problem(std::string(64, 'x')));
}

TEST(FixturesInputs, ImageReferenceGrammar) {
    for (const char* good : {"sea-chaos/opa:dev", "nats:2.15.2-alpine", "localhost:5000/a/b:c", "public.ecr.aws/zinclabs/openobserve:v0.14.7",
                             "busybox"}) {
        EXPECT_FALSE(image_reference_problem(good)) << good;
    }
    for (const char* bad : {"", "Bad Ref", "UPPER/case:1", "name:", "name:tag:again", "-leading"}) {
        EXPECT_TRUE(image_reference_problem(bad)) << bad;
    }
}

TEST(FixturesInputs, ComposeVariablesWithDefaults) {
    const auto file = temp_file("vars.yml", "a: ${SEA_X_PORT:-8080}\nb: ${SEA_Y_IMAGE}\nc: ${SEA_X_PORT:-1}\nd: ${SEA_Z-zz}\n");
    const auto vars = compose_variables(file);
    ASSERT_EQ(vars.size(), 3u);
    EXPECT_EQ(vars[0].name, "SEA_X_PORT");
    EXPECT_EQ(vars[0].default_value, "8080");
    EXPECT_EQ(vars[1].name, "SEA_Y_IMAGE");
    EXPECT_EQ(vars[1].default_value, "");
    EXPECT_EQ(vars[2].default_value, "zz");
    std::filesystem::remove(file);
}

TEST(FixturesInputs, ValidInputsGiveNoLine) {
    const auto lines = validate_inputs(opa_spec());
    // The images may be missing on a machine without `just images`; every other input is at its default.
    for (const auto& line : lines) EXPECT_NE(line.find("_IMAGE: "), std::string::npos) << line;
}

TEST(FixturesInputs, EveryProblemAtOnceOneLineEach) {
    const ScopedEnv id("SEA_CHAOS_RUN_ID", "my run");
    const ScopedEnv keep("CHAOS_KEEP_STACK", "maybe");
    const ScopedEnv require("SEA_REQUIRE_ALL", "2");
    const ScopedEnv port("SEA_OPA_PORT", "abc");
    const ScopedEnv compose("SEA_COMPOSE", "v3");
    const ScopedEnv domain("CHAOS_DOMAIN_A", "sea a");
    const auto lines = validate_inputs(opa_spec());
    for (const char* prefix : {"BAD INPUT: SEA_CHAOS_RUN_ID: ", "BAD INPUT: CHAOS_KEEP_STACK: ", "BAD INPUT: SEA_REQUIRE_ALL: ",
                               "BAD INPUT: SEA_OPA_PORT: ", "BAD INPUT: SEA_COMPOSE: ", "BAD INPUT: CHAOS_DOMAIN_A: "}) {
        EXPECT_TRUE(has_line_starting(lines, prefix)) << prefix << " missing from:\n" << joined(lines);
    }
    for (const auto& line : lines) {
        EXPECT_EQ(line.find('\n'), std::string::npos) << line;
        EXPECT_NE(line.find("; "), std::string::npos) << "every line names the fix: " << line;
    }
}

TEST(FixturesInputs, DuplicatePortsAndRetiredUrlVariables) {
    {
        const ScopedEnv a("SEA_OPA_PORT", "9999");
        const ScopedEnv b("SEA_GATEWAY_PORT", "9999");
        const auto lines = validate_inputs(opa_spec());
        EXPECT_NE(joined(lines).find("port 9999 is also"), std::string::npos) << joined(lines);
    }
    const ScopedEnv retired("CHAOS_OPA_URL", "http://127.0.0.1:8181");
    EXPECT_NE(joined(validate_inputs(opa_spec())).find("BAD INPUT: CHAOS_OPA_URL: no longer read"), std::string::npos);
}

TEST(FixturesInputs, AnotherScenarioSelectedIsNotJudged) {
    const ScopedEnv other("CHAOS_SCENARIO", "postgres_restart_outbox");
    const ScopedEnv keep("CHAOS_KEEP_STACK", "maybe");
    EXPECT_TRUE(validate_inputs(opa_spec()).empty());
    const ScopedEnv typo("CHAOS_SCENARIO", "opa_restrat");
    EXPECT_TRUE(has_line_starting(validate_inputs(opa_spec()), "BAD INPUT: CHAOS_SCENARIO: unknown scenario 'opa_restrat'"));
}

TEST(FixturesInputs, PathsAreCheckedWithoutCreatingAnything) {
    const auto missing_parent = std::filesystem::temp_directory_path() / ("sea-inputs-" + std::to_string(::getpid())) / "deep" / "state";
    {
        const ScopedEnv state("SEA_STATE_DIR", missing_parent.string());  // creatable later: fine, and not created now
        EXPECT_FALSE(has_line_starting(validate_inputs(opa_spec()), "BAD INPUT: SEA_STATE_DIR"));
        EXPECT_FALSE(std::filesystem::exists(missing_parent.parent_path().parent_path()));
    }
    const auto file = temp_file("not-a-dir", "x");
    {
        const ScopedEnv state("SEA_STATE_DIR", file.string());
        const auto lines = validate_inputs(opa_spec());
        EXPECT_TRUE(has_line_starting(lines, "BAD INPUT: SEA_STATE_DIR: '" + file.string() + "' exists and is not a directory")) << joined(lines);
        EXPECT_EQ(joined(lines).find("_IMAGE"), std::string::npos) << "one cause, one line: " << joined(lines);
    }
    {
        const ScopedEnv lock("SEA_STACK_LOCK", (file / "lock").string());
        EXPECT_TRUE(has_line_starting(validate_inputs(opa_spec()), "BAD INPUT: SEA_STACK_LOCK: "));
    }
    {
        const ScopedEnv lock("SEA_STACK_LOCK", std::filesystem::temp_directory_path().string());
        EXPECT_TRUE(has_line_starting(validate_inputs(opa_spec()), "BAD INPUT: SEA_STACK_LOCK: "));
    }
    std::filesystem::remove(file);
}

TEST(FixturesInputs, ComposeOverridesMustExistAndParse) {
    const auto base = std::vector<std::filesystem::path>{repo_root() / "infra/docker/docker-compose.chaos.yml"};
    EXPECT_TRUE(compose_override_problems((repo_root() / "tests/mutants/variants/collector-no-queue.yml").string(), base).empty());
    const auto missing = compose_override_problems("no/such/override.yml", base);
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0].rfind("BAD INPUT: CHAOS_COMPOSE_OVERRIDES: no such file", 0), 0u) << missing[0];
    const auto broken = temp_file("broken.yml", "services:\n  opa: [\n");
    const auto not_compose = temp_file("list.yml", "- just\n- a list\n");
    for (const auto& variant : {std::string(), std::string("v1")}) {  // compose v2's check, then the YAML check
        const ScopedEnv compose("SEA_COMPOSE", variant);
        for (const auto& file : {broken, not_compose}) {
            const auto lines = compose_override_problems(file.string(), base);
            ASSERT_EQ(lines.size(), 1u) << variant << " " << file;
            EXPECT_EQ(lines[0].rfind("BAD INPUT: CHAOS_COMPOSE_OVERRIDES: ", 0), 0u) << lines[0];
        }
    }
    std::filesystem::remove(broken);
    std::filesystem::remove(not_compose);
}

TEST(FixturesInputs, ImageChoiceNamesWhoChoseIt) {
    const auto state = std::filesystem::temp_directory_path() / ("sea-inputs-state-" + std::to_string(::getpid()));
    std::filesystem::create_directories(state);
    std::ofstream(state / "images.env") << "SEA_T_IMAGE=\"sea-chaos/t:built\"\n";
    const ScopedEnv dir("SEA_STATE_DIR", state.string());
    {
        const auto choice = choose_image("SEA_T_IMAGE");
        ASSERT_TRUE(choice);
        EXPECT_EQ(choice->reference, "sea-chaos/t:built");
        EXPECT_FALSE(choice->by_environment);
        EXPECT_NE(choice->chosen_by.find("images.env"), std::string::npos);
        EXPECT_EQ(resolve_image("SEA_T_IMAGE"), "sea-chaos/t:built");
    }
    {
        const ScopedEnv mine("SEA_T_IMAGE", "sea-chaos/t:mine");
        const auto choice = choose_image("SEA_T_IMAGE");
        ASSERT_TRUE(choice);
        EXPECT_EQ(choice->reference, "sea-chaos/t:mine");
        EXPECT_TRUE(choice->by_environment);
        EXPECT_EQ(choice->chosen_by, "SEA_T_IMAGE (environment)");
    }
    EXPECT_FALSE(choose_image("SEA_OTHER_IMAGE"));
    const auto fallback = choose_image("SEA_OTHER_IMAGE", "upstream/x:1");
    ASSERT_TRUE(fallback);
    EXPECT_NE(fallback->chosen_by.find("the compose default"), std::string::npos);
    std::filesystem::remove_all(state);
}

TEST(FixturesInputs, TheMeshFaultsToolsMustBeOnPath) {
    ScenarioSpec mesh;
    mesh.name = "nats_partition_mesh";
    mesh.profile = profiles::mesh();
    const auto bin = std::filesystem::temp_directory_path() / ("sea-inputs-bin-" + std::to_string(::getpid()));
    std::filesystem::create_directories(bin);
    std::filesystem::create_symlink("/usr/bin/nsenter", bin / "nsenter");
    {
        const ScopedEnv path("PATH", bin.string());
        const auto lines = validate_inputs(mesh);
        EXPECT_TRUE(has_line_starting(lines, "BAD INPUT: PATH: iptables not found")) << joined(lines);
        EXPECT_FALSE(has_line_starting(lines, "BAD INPUT: PATH: nsenter")) << joined(lines);
        EXPECT_FALSE(has_line_starting(validate_inputs(opa_spec()), "BAD INPUT: PATH:")) << "opa_restart runs no host tool";
    }
    std::filesystem::remove_all(bin);
}

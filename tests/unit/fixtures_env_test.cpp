// env readers: defaults, validation errors naming the variable, suite paths.
#include "sea/testsupport/scoped_env.hpp"
#include "sea/fixtures/env.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace sea::fixtures;

namespace {
using sea::testsupport::ScopedEnv;

std::string config_error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no ConfigError";
}
}  // namespace

TEST(FixturesEnv, EnvOrUsesDefaultWhenUnsetOrEmpty) {
    ::unsetenv("SEA_T_UNSET");
    EXPECT_EQ(env_or("SEA_T_UNSET", "dflt"), "dflt");
    const ScopedEnv empty("SEA_T_EMPTY", "");
    EXPECT_EQ(env_or("SEA_T_EMPTY", "dflt"), "dflt");
    const ScopedEnv set("SEA_T_SET", "value");
    EXPECT_EQ(env_or("SEA_T_SET", "dflt"), "value");
}

TEST(FixturesEnv, UrlAcceptsWellFormedValues) {
    const ScopedEnv url("CHAOS_NATS_A_URL", "nats://127.0.0.1:4222");
    EXPECT_EQ(env_url("CHAOS_NATS_A_URL", "nats://127.0.0.1:1", {"nats"}), "nats://127.0.0.1:4222");
    ::unsetenv("SEA_T_URL");
    EXPECT_EQ(env_url("SEA_T_URL", "http://localhost:8181/v1", {"http", "https"}), "http://localhost:8181/v1");
    const auto parsed = parse_url("x", "postgresql://u:p@[::1]:5432/db", {});
    EXPECT_EQ(parsed.host, "::1");
    EXPECT_EQ(parsed.port, 5432);
    EXPECT_EQ(parsed.path, "/db");
}

TEST(FixturesEnv, UrlErrorsNameVariableExpectationAndValue) {
    const ScopedEnv foo("CHAOS_NATS_A_URL", "foo");
    const auto text = config_error_of([] { env_url("CHAOS_NATS_A_URL", "nats://127.0.0.1:4222", {"nats"}); });
    EXPECT_EQ(text.rfind("BAD INPUT: CHAOS_NATS_A_URL: expected nats://host:port, got 'foo'", 0), 0u) << text;
    EXPECT_NE(text.find("; set it to nats://host:port or unset it (default nats://127.0.0.1:4222)"), std::string::npos) << text;

    for (const char* bad : {"http://127.0.0.1:4222", "nats://:4222", "nats://host:0", "nats://host:70000", "nats://host:abc", "nats://host"}) {
        const ScopedEnv value("CHAOS_NATS_A_URL", bad);
        const auto message = config_error_of([] { env_url("CHAOS_NATS_A_URL", "nats://127.0.0.1:4222", {"nats"}); });
        EXPECT_NE(message.find("CHAOS_NATS_A_URL"), std::string::npos) << bad;
        EXPECT_NE(message.find(bad), std::string::npos) << message;
    }
}

TEST(FixturesEnv, IntValidatesSyntaxAndRange) {
    ::unsetenv("SEA_T_INT");
    EXPECT_EQ(env_int("SEA_T_INT", 5, 1, 10), 5);
    {
        const ScopedEnv v("SEA_T_INT", "7");
        EXPECT_EQ(env_int("SEA_T_INT", 5, 1, 10), 7);
    }
    for (const char* bad : {"abc", "7x", "11", "0", "-3", "99999999999999999999"}) {
        const ScopedEnv v("SEA_T_INT", bad);
        const auto text = config_error_of([] { env_int("SEA_T_INT", 5, 1, 10); });
        EXPECT_NE(text.find("SEA_T_INT: expected an integer in 1..10"), std::string::npos) << bad << " -> " << text;
    }
}

TEST(FixturesEnv, FlagParsesCommonSpellingsAndRejectsOthers) {
    ::unsetenv("SEA_T_FLAG");
    EXPECT_FALSE(env_flag("SEA_T_FLAG"));
    for (const char* yes : {"1", "true", "YES", "On"}) {
        const ScopedEnv v("SEA_T_FLAG", yes);
        EXPECT_TRUE(env_flag("SEA_T_FLAG")) << yes;
    }
    for (const char* no : {"0", "false", "No", "off"}) {
        const ScopedEnv v("SEA_T_FLAG", no);
        EXPECT_FALSE(env_flag("SEA_T_FLAG")) << no;
    }
    const ScopedEnv v("SEA_T_FLAG", "maybe");
    const auto text = config_error_of([] { env_flag("SEA_T_FLAG"); });
    EXPECT_EQ(text.rfind("BAD INPUT: SEA_T_FLAG: expected a flag", 0), 0u) << text;
    EXPECT_NE(text.find("; set it to 1 or 0, or unset it"), std::string::npos) << text;
}

TEST(FixturesEnv, EveryConfigErrorReadsBadInputOnce) {
    EXPECT_STREQ(ConfigError("X: broken; fix it").what(), "BAD INPUT: X: broken; fix it");
    EXPECT_STREQ(ConfigError("BAD INPUT: X: broken; fix it").what(), "BAD INPUT: X: broken; fix it");
    EXPECT_EQ(bad_input_line("X", "broken", "fix it"), "BAD INPUT: X: broken; fix it");
    const ScopedEnv v("SEA_T_INT", "abc");
    EXPECT_NE(config_error_of([] { env_int("SEA_T_INT", 5, 1, 10); }).find("; set an integer in 1..10 or unset it (default 5)"),
              std::string::npos);
}

TEST(FixturesEnv, PathsComeFromCompileDefinitionsAndEnvOverrides) {
    ::unsetenv("SEA_REPO_ROOT");
    ::unsetenv("SEA_STATE_DIR");
    EXPECT_TRUE(std::filesystem::exists(repo_root() / "CMakeLists.txt")) << repo_root();
    EXPECT_EQ(state_dir(), repo_root() / ".state");
    const ScopedEnv state("SEA_STATE_DIR", "/tmp/sea-state-x");
    EXPECT_EQ(state_dir(), std::filesystem::path("/tmp/sea-state-x"));
    const ScopedEnv root("SEA_REPO_ROOT", "/tmp/elsewhere");
    EXPECT_EQ(repo_root(), std::filesystem::path("/tmp/elsewhere"));
}

TEST(FixturesEnv, ArtifactsDirIsCreatedUnderTheBuildRoot) {
    const auto tmp = std::filesystem::temp_directory_path() / ("sea-build-" + std::to_string(::getpid()));
    const ScopedEnv build("SEA_BUILD_ROOT", tmp.c_str());
    const auto dir = artifacts_dir();
    EXPECT_EQ(dir, tmp / "chaos-artifacts" / "FixturesEnv.ArtifactsDirIsCreatedUnderTheBuildRoot");
    EXPECT_TRUE(std::filesystem::is_directory(dir));
    EXPECT_EQ(artifacts_dir("Suite/x y.Test"), tmp / "chaos-artifacts" / "Suite_x_y.Test");
    std::filesystem::remove_all(tmp);
}

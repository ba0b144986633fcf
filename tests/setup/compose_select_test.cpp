// SEA_COMPOSE=v1|v2 forces the compose variant detect_compose() picks (fixtures/src/compose.cpp). A bad value, and a
// forced variant that does not answer, each fail with one line naming SEA_COMPOSE and the fix. The selections that
// succeed are exercised by the stack label, which scripts/run-tests.sh runs once with v2 and once with v1.
#include "sea/testsupport/scoped_env.hpp"
#include "sea/fixtures/stack.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>
#include <string>
#include <unistd.h>

namespace {

using sea::fixtures::detect_compose;
using sea::fixtures::StackError;

using sea::testsupport::ScopedEnv;

// The StackError text detect_compose() throws, or "" when it selects a compose.
std::string detection_error() {
    try {
        (void)detect_compose();
    } catch (const StackError& e) {
        return e.what();
    }
    return "";
}

TEST(ComposeSelect, BadValueIsOneLineNamingTheVariable) {
    ScopedEnv compose("SEA_COMPOSE", "v3");
    const auto message = detection_error();
    EXPECT_NE(message.find("SEA_COMPOSE: expected v1 or v2"), std::string::npos) << message;
    EXPECT_NE(message.find("got 'v3'"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(ComposeSelect, ForcedV2ThatDoesNotAnswerSaysHowToGetIt) {
    // The only docker on PATH is a CLI without the compose plugin (as Debian's docker.io 20.10).
    const auto dir = std::filesystem::temp_directory_path() / ("sea-compose-select-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream docker(dir / "docker");
        docker << "#!/bin/sh\necho \"docker: 'compose' is not a docker command.\" >&2\nexit 1\n";
    }
    std::filesystem::permissions(dir / "docker", std::filesystem::perms::owner_all);
    std::string message;
    {
        ScopedEnv path("PATH", dir.string());
        ScopedEnv compose("SEA_COMPOSE", "v2");
        message = detection_error();
    }
    std::filesystem::remove_all(dir);
    EXPECT_NE(message.find("SEA_COMPOSE=v2 but `docker compose version` failed"), std::string::npos) << message;
    EXPECT_NE(message.find("scripts/setup.sh builds compose v2"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

}  // namespace

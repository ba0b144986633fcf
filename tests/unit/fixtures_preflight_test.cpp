// Preflight: port check against a port we hold, image/daemon checks through a fake docker CLI, env checks.
#include "sea/fixtures/preflight.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/tcp_fakes.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace sea::fixtures;

namespace {

// A fake docker CLI: answers --version and info, knows only the image "present:1".
std::filesystem::path write_fake_docker(bool daemon_up) {
    const auto path = std::filesystem::temp_directory_path() / ("sea-fake-docker-" + std::to_string(::getpid()) + (daemon_up ? "-up" : "-down"));
    std::ofstream(path) << "#!/bin/sh\n"
                           "case \"$1\" in\n"
                           "  --version) echo 'Docker version 0.0-fake'; exit 0;;\n"
                           "  info) " << (daemon_up ? "echo 20.10-fake; exit 0" : "echo 'Cannot connect to the Docker daemon' >&2; exit 1") << ";;\n"
                           "  image) for last; do :; done; [ \"$last\" = present:1 ] && { echo sha256:abc; exit 0; }; "
                           "echo \"Error: No such image: $last\" >&2; exit 1;;\n"
                           "esac\nexit 2\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
}

}  // namespace

TEST(FixturesPreflight, TakenPortIsNamedWithItsOwner) {
    const sea::testsupport::SilentTcpServer held;  // listens: the port is taken
    const auto problem = port_unavailable(held.port());
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->find("127.0.0.1:" + std::to_string(held.port()) + " is not free"), std::string::npos) << *problem;
    EXPECT_NE(problem->find("pid " + std::to_string(::getpid())), std::string::npos) << *problem;  // ss -ltnp names us

    PreflightSpec spec;
    spec.docker = spec.compose = false;
    spec.ports = {held.port()};
    const auto result = preflight(spec);
    EXPECT_FALSE(result.ok());
    ASSERT_EQ(result.failures().size(), 1u);
    EXPECT_EQ(result.failures()[0].rfind("FAIL: 127.0.0.1:" + std::to_string(held.port()), 0), 0u) << result.report();
}

TEST(FixturesPreflight, FreePortPasses) {
    const int port = sea::testsupport::free_loopback_port();
    EXPECT_FALSE(port_unavailable(port));
    EXPECT_TRUE(port_unavailable(0));
    EXPECT_TRUE(port_unavailable(70000));
}

TEST(FixturesPreflight, MissingImageSaysHowToBuildIt) {
    PreflightSpec spec;
    spec.compose = false;
    spec.docker_cli = write_fake_docker(true);
    spec.images = {"present:1", "sea-chaos/absent:1"};
    const auto result = preflight(spec);
    EXPECT_FALSE(result.ok()) << result.report();
    const auto failures = result.failures();
    ASSERT_EQ(failures.size(), 1u) << result.report();
    EXPECT_NE(failures[0].find("sea-chaos/absent:1 missing; run `just images` (scripts/build-images.sh)"), std::string::npos);
    EXPECT_NE(result.report().find("ok: image present:1 present"), std::string::npos) << result.report();
    std::filesystem::remove(spec.docker_cli);
}

TEST(FixturesPreflight, DaemonDownIsOneLineForOneCause) {
    PreflightSpec spec;
    spec.compose = false;
    spec.docker_cli = write_fake_docker(false);
    spec.images = {"present:1", "sea-chaos/absent:1", "other:2"};  // each would only repeat "no daemon"
    const auto result = preflight(spec);
    const auto failures = result.failures();
    ASSERT_EQ(failures.size(), 1u) << result.report();
    EXPECT_NE(failures[0].find("daemon does not answer"), std::string::npos) << failures[0];
    EXPECT_NE(failures[0].find("scripts/ensure-docker.sh"), std::string::npos) << failures[0];
    EXPECT_FALSE(docker_daemon_answers(spec.docker_cli.c_str()));
    std::filesystem::remove(spec.docker_cli);
}

TEST(FixturesPreflight, MissingImageChosenByTheEnvironmentNamesTheVariable) {
    PreflightSpec spec;
    spec.compose = false;
    spec.docker_cli = write_fake_docker(true);
    spec.images = {"sea-chaos/mine:wip"};
    ::setenv("SEA_PF_TEST_IMAGE", "sea-chaos/mine:wip", 1);
    const auto result = preflight(spec);
    ::unsetenv("SEA_PF_TEST_IMAGE");
    const auto failures = result.failures();
    ASSERT_EQ(failures.size(), 1u) << result.report();
    EXPECT_NE(failures[0].find("sea-chaos/mine:wip missing; SEA_PF_TEST_IMAGE chose it (environment)"), std::string::npos) << failures[0];
    EXPECT_EQ(failures[0].find("run `just images`"), std::string::npos) << "the user chose the tag: " << failures[0];
    EXPECT_TRUE(docker_daemon_answers(spec.docker_cli.c_str()));
    std::filesystem::remove(spec.docker_cli);
}

TEST(FixturesPreflight, MissingDockerCliIsNamed) {
    PreflightSpec spec;
    spec.compose = false;
    spec.docker_cli = "sea-no-docker-here";
    const auto result = preflight(spec);
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.failures()[0].find("docker CLI 'sea-no-docker-here' not found"), std::string::npos) << result.report();
}

TEST(FixturesPreflight, EnvChecksReportEachVariable) {
    ::setenv("SEA_PF_URL", "foo", 1);
    ::setenv("SEA_PF_INT", "12", 1);
    ::unsetenv("SEA_PF_FLAG");
    PreflightSpec spec;
    spec.docker = spec.compose = false;
    spec.env = {{"SEA_PF_URL", EnvRequirement::Kind::url, "nats://127.0.0.1:4222", {"nats"}, 0, 0},
                {"SEA_PF_INT", EnvRequirement::Kind::integer, "5", {}, 1, 100},
                {"SEA_PF_FLAG", EnvRequirement::Kind::flag, "", {}, 0, 0}};
    const auto result = preflight(spec);
    ASSERT_EQ(result.checks.size(), 3u);
    EXPECT_FALSE(result.checks[0].ok);
    EXPECT_NE(result.checks[0].line.find("SEA_PF_URL: expected nats://host:port, got 'foo'"), std::string::npos) << result.report();
    EXPECT_TRUE(result.checks[1].ok) << result.report();
    EXPECT_TRUE(result.checks[2].ok) << result.report();
    const auto line = env_requirement_problem(spec.env[0]);
    ASSERT_TRUE(line);
    EXPECT_EQ(line->rfind("BAD INPUT: SEA_PF_URL: expected nats://host:port, got 'foo'", 0), 0u) << *line;
    EXPECT_NE(line->find("; set it to nats://host:port or unset it (default nats://127.0.0.1:4222)"), std::string::npos) << *line;
    EXPECT_FALSE(env_requirement_problem(spec.env[1]));
    ::unsetenv("SEA_PF_URL");
    ::unsetenv("SEA_PF_INT");
}

// The real policy-gateway binary exits 2 with one stderr line naming the bad variable (no servers needed).
#include "sea/testsupport/child_process.hpp"
#include "sea/testsupport/subprocess.hpp"
#include "sea/testsupport/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sea::gateway {
namespace {

using namespace sea::testsupport;

struct BadEnvCase {
    std::map<std::string, std::string> env;
    std::string variable;
};

class GatewayBinaryConfig : public ::testing::TestWithParam<BadEnvCase> {};

TEST_P(GatewayBinaryConfig, ExitsTwoWithOneLineNamingTheVariable) {
    TempDir dir("sea-gateway-cfg-");
    const std::string log = dir.path() + "/out.log";
    auto env = GetParam().env;
    ChildProcess worker({SEA_GATEWAY_BIN}, log, env);
    const auto code = worker.wait_exit(std::chrono::seconds(10));
    ASSERT_TRUE(code.has_value()) << "worker did not exit on bad config";
    EXPECT_EQ(*code, 2);
    const auto output = read_file(log);
    EXPECT_NE(output.find("policy-gateway: " + GetParam().variable + ":"), std::string::npos) << output;
    EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
}

INSTANTIATE_TEST_SUITE_P(
    BadValues, GatewayBinaryConfig,
    ::testing::Values(BadEnvCase{{{"OPA_URL", "opa:8181"}}, "OPA_URL"},
                      BadEnvCase{{{"OPA_DECISION_PATH", "a..b"}}, "OPA_DECISION_PATH"},
                      BadEnvCase{{{"OPA_TIMEOUT_MS", "0"}}, "OPA_TIMEOUT_MS"},
                      BadEnvCase{{{"GATEWAY_PORT", "http"}}, "GATEWAY_PORT"}));

}  // namespace
}  // namespace sea::gateway

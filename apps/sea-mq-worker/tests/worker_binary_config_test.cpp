// The real sea-mq-worker binary exits 2 with one stderr line naming the bad variable (no servers needed).
#include "sea/testsupport/child_process.hpp"
#include "sea/testsupport/subprocess.hpp"
#include "sea/testsupport/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sea::worker {
namespace {

using namespace sea::testsupport;

struct BadEnvCase {
    std::map<std::string, std::string> env;
    std::string variable;
};

class WorkerBinaryConfig : public ::testing::TestWithParam<BadEnvCase> {};

TEST_P(WorkerBinaryConfig, ExitsTwoWithOneLineNamingTheVariable) {
    TempDir dir("sea-worker-cfg-");
    const std::string log = dir.path() + "/out.log";
    auto env = GetParam().env;
    env.emplace("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none");
    ChildProcess worker({SEA_WORKER_BIN}, log, env);
    const auto code = worker.wait_exit(std::chrono::seconds(10));
    ASSERT_TRUE(code.has_value()) << "worker did not exit on bad config";
    EXPECT_EQ(*code, 2);
    const auto output = read_file(log);
    EXPECT_NE(output.find("sea-mq-worker: " + GetParam().variable + ":"), std::string::npos) << output;
    EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
}

INSTANTIATE_TEST_SUITE_P(
    BadValues, WorkerBinaryConfig,
    ::testing::Values(BadEnvCase{{{"DATABASE_URL", "mysql://x"}}, "DATABASE_URL"},
                      BadEnvCase{{{"NATS_URL", "tcp://x:1"}}, "NATS_URL"},
                      BadEnvCase{{{"OUTBOX_BATCH_SIZE", "0"}}, "OUTBOX_BATCH_SIZE"},
                      BadEnvCase{{{"OUTBOX_POLL_INTERVAL_MS", "soon"}}, "OUTBOX_POLL_INTERVAL_MS"},
                      BadEnvCase{{{"WORKER_HTTP_PORT", "99999"}}, "WORKER_HTTP_PORT"},
                      BadEnvCase{{{"OUTBOX_STREAM", "a.b"}}, "OUTBOX_STREAM"},
                      BadEnvCase{{{"OUTBOX_SUBJECTS", "a,,b"}}, "OUTBOX_SUBJECTS"},
                      BadEnvCase{{{"WORKER_DUPLICATES_WINDOW_S", "0"}}, "WORKER_DUPLICATES_WINDOW_S"}));

}  // namespace
}  // namespace sea::worker

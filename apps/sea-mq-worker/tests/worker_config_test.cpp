// Unit tests of loadWorkerConfig: defaults, every accepted form and every bad value naming its variable.
#include "worker_config.hpp"

#include <gtest/gtest.h>

namespace sea::worker {
namespace {

using sea::apps::ConfigError;
using sea::apps::mapEnv;
using Env = std::map<std::string, std::string>;

Env validEnv() { return {{"DATABASE_URL", "postgresql://u:p@127.0.0.1:5432/sea"}}; }

// Expects loadWorkerConfig to throw a ConfigError whose message starts with "<variable>:".
void expectRejected(const std::string& variable, const std::string& value) {
    Env env = validEnv();
    env[variable] = value;
    try {
        loadWorkerConfig(mapEnv(env));
        FAIL() << variable << "=\"" << value << "\" was accepted";
    } catch (const ConfigError& error) {
        const std::string message = error.what();
        EXPECT_EQ(message.rfind(variable + ":", 0), 0u) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << "one line expected: " << message;
    }
}

TEST(WorkerConfig, DefaultsApplyWhenOnlyDatabaseUrlIsSet) {
    const auto config = loadWorkerConfig(mapEnv(validEnv()));
    EXPECT_EQ(config.databaseUrl, "postgresql://u:p@127.0.0.1:5432/sea");
    EXPECT_EQ(config.natsServers, std::vector<std::string>{"nats://127.0.0.1:4222"});
    EXPECT_EQ(config.stream, "SEA_OUTBOX");
    EXPECT_EQ(config.subjects, std::vector<std::string>{"sea.outbox.>"});
    EXPECT_EQ(config.batchSize, 100);
    EXPECT_EQ(config.pollInterval.count(), 200);
    EXPECT_EQ(config.httpPort, 9090);
    EXPECT_EQ(config.duplicatesWindow, std::chrono::seconds(1200));
}

TEST(WorkerConfig, ParsesEveryVariable) {
    Env env = validEnv();
    env["DATABASE_URL"] = "postgres://db/sea";
    env["NATS_URL"] = "nats://a:4222, nats://b:4222,nats://c:4222";
    env["OUTBOX_STREAM"] = "ORDERS";
    env["OUTBOX_SUBJECTS"] = "orders.>,billing.*.created";
    env["OUTBOX_BATCH_SIZE"] = "10000";
    env["OUTBOX_POLL_INTERVAL_MS"] = "50";
    env["WORKER_HTTP_PORT"] = "0";
    env["WORKER_DUPLICATES_WINDOW_S"] = "900";
    const auto config = loadWorkerConfig(mapEnv(env));
    EXPECT_EQ(config.natsServers, (std::vector<std::string>{"nats://a:4222", "nats://b:4222", "nats://c:4222"}));
    EXPECT_EQ(config.stream, "ORDERS");
    EXPECT_EQ(config.subjects, (std::vector<std::string>{"orders.>", "billing.*.created"}));
    EXPECT_EQ(config.batchSize, 10000);
    EXPECT_EQ(config.pollInterval.count(), 50);
    EXPECT_EQ(config.httpPort, 0);
    EXPECT_EQ(config.duplicatesWindow, std::chrono::seconds(900));
}

TEST(WorkerConfig, MissingDatabaseUrlIsRejected) {
    try {
        loadWorkerConfig(mapEnv({}));
        FAIL() << "accepted without DATABASE_URL";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()).rfind("DATABASE_URL:", 0), 0u) << error.what();
    }
}

TEST(WorkerConfig, BadDatabaseUrlIsRejected) {
    expectRejected("DATABASE_URL", "");
    expectRejected("DATABASE_URL", "mysql://db/sea");
    expectRejected("DATABASE_URL", "host=db dbname=sea");
}

TEST(WorkerConfig, BadNatsUrlIsRejected) {
    expectRejected("NATS_URL", "");
    expectRejected("NATS_URL", "http://127.0.0.1:4222");
    expectRejected("NATS_URL", "nats://");
    expectRejected("NATS_URL", "nats://a:4222,,nats://b:4222");
    expectRejected("NATS_URL", "nats://a:4222,");
}

TEST(WorkerConfig, BadStreamNameIsRejected) {
    expectRejected("OUTBOX_STREAM", "");
    expectRejected("OUTBOX_STREAM", "SEA.OUTBOX");
    expectRejected("OUTBOX_STREAM", "SEA OUTBOX");
    expectRejected("OUTBOX_STREAM", "SEA*");
}

TEST(WorkerConfig, BadSubjectsAreRejected) {
    expectRejected("OUTBOX_SUBJECTS", "");
    expectRejected("OUTBOX_SUBJECTS", "sea..outbox");
    expectRejected("OUTBOX_SUBJECTS", "sea.>.x");
    expectRejected("OUTBOX_SUBJECTS", ".sea");
    expectRejected("OUTBOX_SUBJECTS", "sea outbox");
}

TEST(WorkerConfig, BatchSizeOutsideRangeIsRejected) {
    for (const char* bad : {"0", "10001", "-5", "abc", "", "12x", "1e3", " 5", "99999999999999999999"}) {
        expectRejected("OUTBOX_BATCH_SIZE", bad);
    }
}

TEST(WorkerConfig, PollIntervalOutsideRangeIsRejected) {
    for (const char* bad : {"0", "9", "60001", "-1", "fast", ""}) expectRejected("OUTBOX_POLL_INTERVAL_MS", bad);
}

TEST(WorkerConfig, BadHttpPortIsRejected) {
    for (const char* bad : {"-1", "65536", "http", ""}) expectRejected("WORKER_HTTP_PORT", bad);
}

TEST(WorkerConfig, DuplicatesWindowAcceptsItsWholeRange) {
    for (const auto& [text, seconds] : {std::pair{"1", 1}, {"120", 120}, {"3600", 3600}, {"86400", 86400}}) {
        Env env = validEnv();
        env["WORKER_DUPLICATES_WINDOW_S"] = text;
        EXPECT_EQ(loadWorkerConfig(mapEnv(env)).duplicatesWindow, std::chrono::seconds(seconds)) << text;
    }
}

TEST(WorkerConfig, BadDuplicatesWindowIsRejectedWithOneLine) {
    for (const char* bad : {"0", "-120", "86401", "20m", "1200s", "", " 60", "abc", "99999999999999999999"}) {
        expectRejected("WORKER_DUPLICATES_WINDOW_S", bad);
    }
    Env env = validEnv();
    env["WORKER_DUPLICATES_WINDOW_S"] = "20m";
    try {
        loadWorkerConfig(mapEnv(env));
        FAIL() << "accepted 20m";
    } catch (const ConfigError& error) {
        EXPECT_STREQ(error.what(), "WORKER_DUPLICATES_WINDOW_S: must be an integer in 1..86400, got \"20m\"");
    }
}

TEST(WorkerConfig, SplitListTrimsAndRejectsEmptyItems) {
    EXPECT_EQ(splitList("X", " a , b "), (std::vector<std::string>{"a", "b"}));
    EXPECT_THROW(splitList("X", "a,,b"), ConfigError);
}

}  // namespace
}  // namespace sea::worker

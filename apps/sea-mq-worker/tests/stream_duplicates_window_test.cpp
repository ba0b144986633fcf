// Integration tests of JetStreamPublisher::ensureStream's duplicate window against a real nats-server -js
// started on a free loopback port: a fresh stream gets the configured window, an existing shorter
// window is raised (the rest of the stream's configuration kept), a longer one is never shrunk, and a
// row re-sent after the stream's original window has passed is still deduplicated.
//
// Why it matters: a row published but not yet marked (PostgreSQL lost between publish and commit) is
// re-sent once PostgreSQL returns, and JetStream drops the copy only within the window. The old fixed
// 120 s window, never applied to an existing stream, duplicated rows after a longer outage.
#include "jetstream_publisher.hpp"
#include "jetstream_reader.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/local_nats.hpp"
#include "sea/testsupport/poll.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace sea::worker {
namespace {

using namespace sea::testsupport;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

class StreamDuplicatesWindow : public ::testing::Test {
protected:
    void SetUp() override {
        SEA_REQUIRE_BINARY(nats_server_binary(), "nats-server");
        nats = std::make_unique<LocalNats>();
        config.databaseUrl = "postgresql://unused/sea";
        config.natsServers = {nats->url()};
    }

    // A started publisher connected to the test server (ensureStream not called yet).
    std::unique_ptr<JetStreamPublisher> connectedPublisher() {
        auto publisher = std::make_unique<JetStreamPublisher>(config, metrics);
        publisher->start();
        EXPECT_TRUE(poll_until(10s, [&] { return publisher->connected(); }, 20ms)) << "publisher never connected";
        return publisher;
    }

    testing::StreamSettings settings() const { return testing::readStreamSettings(nats->url(), config.stream); }

    std::unique_ptr<LocalNats> nats;
    WorkerConfig config;  // defaults: SEA_OUTBOX on sea.outbox.>, duplicates window 1200 s
    WorkerMetrics metrics;
};

TEST_F(StreamDuplicatesWindow, FreshServerGetsTheConfiguredWindow) {
    config.duplicatesWindow = 900s;
    auto publisher = connectedPublisher();
    publisher->ensureStream();
    const auto created = settings();
    EXPECT_EQ(created.duplicates, nanoseconds(900s));
    EXPECT_EQ(created.subjects, std::vector<std::string>{"sea.outbox.>"});
}

TEST_F(StreamDuplicatesWindow, FreshServerGetsTheTwentyMinuteDefault) {
    auto publisher = connectedPublisher();
    publisher->ensureStream();
    EXPECT_EQ(settings().duplicates, nanoseconds(1200s));
}

// A stream left by an older worker (120 s window, and an operator's max_msgs) is raised to the configured
// window; everything else in its configuration stays as it was. A second ensureStream changes nothing.
TEST_F(StreamDuplicatesWindow, ExistingStreamWithA120sWindowIsRaisedKeepingItsConfig) {
    testing::createStream(nats->url(), config.stream, {"sea.outbox.>", "sea.extra.*"}, 120s, /*maxMsgs=*/123456);
    ASSERT_EQ(settings().duplicates, nanoseconds(120s));
    auto publisher = connectedPublisher();
    publisher->ensureStream();
    const auto raised = settings();
    EXPECT_EQ(raised.duplicates, nanoseconds(1200s));
    EXPECT_EQ(raised.maxMsgs, 123456);
    EXPECT_EQ(raised.subjects, (std::vector<std::string>{"sea.outbox.>", "sea.extra.*"}));
    publisher->ensureStream();
    EXPECT_EQ(settings().duplicates, nanoseconds(1200s));
}

TEST_F(StreamDuplicatesWindow, ExistingLongerWindowIsNeverShrunk) {
    testing::createStream(nats->url(), config.stream, {"sea.outbox.>"}, 3600s);
    auto publisher = connectedPublisher();
    publisher->ensureStream();
    EXPECT_EQ(settings().duplicates, nanoseconds(3600s));
}

// The server refuses a window longer than max_age: the raise stops at max_age instead of failing.
TEST_F(StreamDuplicatesWindow, RaiseIsCappedAtTheStreamsMaxAge) {
    testing::createStream(nats->url(), config.stream, {"sea.outbox.>"}, 60s, -1, /*maxAge=*/600s);
    auto publisher = connectedPublisher();
    EXPECT_NO_THROW(publisher->ensureStream());
    EXPECT_EQ(settings().duplicates, nanoseconds(600s));
    EXPECT_EQ(settings().maxAge, nanoseconds(600s));
}

// The time-compressed outage: the stream exists with a 1 s window (standing in for the old 120 s), the
// worker ensures it, publishes a row and "loses PostgreSQL" for longer than that window; the re-send of
// the same Nats-Msg-Id must still be dropped, so the stream holds the row once.
TEST_F(StreamDuplicatesWindow, RowResentAfterTheOldWindowIsDeduplicated) {
    testing::createStream(nats->url(), config.stream, {"sea.outbox.>"}, 1s);
    auto publisher = connectedPublisher();
    publisher->ensureStream();
    const OutboxRow row{"0b7e3c52-5d0c-4f8e-9a51-2f1d8c7a6e10", "sea.outbox.order.created", R"({"n":1})"};
    const auto first = publisher->publish(row);
    ASSERT_TRUE(first.acked) << first.error;
    EXPECT_FALSE(first.duplicate);

    std::this_thread::sleep_for(3s);  // three old windows: the old stream had forgotten the id by now
    const auto resent = publisher->publish(row);
    ASSERT_TRUE(resent.acked) << resent.error;
    EXPECT_TRUE(resent.duplicate) << "the re-sent row was stored a second time";
    EXPECT_TRUE(testing::publishWithMsgId(nats->url(), row.subject, row.id)) << "a third copy was stored";
    const auto contents = testing::readStream(nats->url(), config.stream);
    EXPECT_EQ(contents.messages, 1u);
}

}  // namespace
}  // namespace sea::worker

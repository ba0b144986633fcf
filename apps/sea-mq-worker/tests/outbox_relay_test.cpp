// Unit tests of OutboxRelay against in-memory fakes of the store and the broker: ordering, marking only
// after acks, failure bookkeeping, reconnects, stream re-ensuring, and never double-marking.
#include "outbox_relay.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace sea::worker {
namespace {

struct FakeRow {
    OutboxRow row;
    bool published = false;
    int publishCount = 0;  // times markPublished touched it (must stay <= 1)
    int attempts = 0;
    std::string lastError;
};

// In-memory outbox with transaction semantics: marks are staged until commit; a lost connection
// discards the staged changes (as PostgreSQL would roll back).
class FakeStore : public OutboxStore {
public:
    std::vector<FakeRow> rows;
    bool isConnected = false;
    bool refuseConnect = false;
    int connects = 0;
    // Lose the connection at the Nth commit (1-based); 0 = never.
    int loseConnectionAtCommit = 0;
    int commits = 0;

    void add(int count) {
        for (int i = 0; i < count; ++i) {
            const auto n = rows.size();
            FakeRow fake;
            fake.row = {"id-" + std::to_string(n), "sea.outbox.t", "{\"n\":" + std::to_string(n) + "}"};
            rows.push_back(fake);
        }
    }
    std::size_t publishedCount() const {
        return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](auto& r) { return r.published; }));
    }

    bool connected() const override { return isConnected; }
    void connect() override {
        if (refuseConnect) throw StoreError("connection refused", true);
        isConnected = true;
        ++connects;
    }
    std::vector<OutboxRow> claimBatch(int limit) override {
        requireConnected();
        std::vector<OutboxRow> out;
        for (auto& r : rows) {
            if (!r.published && static_cast<int>(out.size()) < limit) out.push_back(r.row);
        }
        return out;
    }
    void markPublished(const std::vector<std::string>& ids) override {
        requireConnected();
        for (const auto& id : ids) stagedMarks_.push_back(id);
    }
    void recordFailure(const std::string& id, const std::string& error) override {
        requireConnected();
        stagedFailures_.emplace_back(id, error);
    }
    void commit() override {
        requireConnected();
        ++commits;
        if (loseConnectionAtCommit == commits) {
            isConnected = false;
            discard();
            throw StoreError("server closed the connection unexpectedly", true);
        }
        for (const auto& id : stagedMarks_) {
            auto& r = find(id);
            if (!r.published) {  // mirrors "AND published_at IS NULL"
                r.published = true;
                ++r.publishCount;
            }
        }
        for (const auto& [id, error] : stagedFailures_) {
            auto& r = find(id);
            ++r.attempts;
            r.lastError = error;
        }
        discard();
    }
    void rollback() override { discard(); }
    bool waitForWork(std::chrono::milliseconds) override { return false; }

private:
    void requireConnected() const {
        if (!isConnected) throw StoreError("not connected", true);
    }
    void discard() {
        stagedMarks_.clear();
        stagedFailures_.clear();
    }
    FakeRow& find(const std::string& id) {
        for (auto& r : rows) {
            if (r.row.id == id) return r;
        }
        throw std::logic_error("unknown id " + id);
    }
    std::vector<std::string> stagedMarks_;
    std::vector<std::pair<std::string, std::string>> stagedFailures_;
};

// In-memory JetStream with a dedupe set keyed by message id.
class FakePublisher : public EventPublisher {
public:
    bool isConnected = true;
    std::uint64_t epoch = 1;
    int ensureCalls = 0;
    bool ensureFails = false;
    int failAfter = -1;  // after this many successes the broker goes away (publish fails, disconnected); -1 = never
    std::set<std::string> rejectIds;  // rows the (connected) broker rejects
    int successes = 0;
    std::vector<std::string> stream;  // ids actually stored, in order
    std::set<std::string> seen;
    std::vector<std::string> order;   // ids in publish-call order

    bool connected() const override { return isConnected; }
    std::uint64_t connectionEpoch() const override { return epoch; }
    void ensureStream() override {
        ++ensureCalls;
        if (ensureFails) throw PublisherError("jetstream not enabled");
    }
    PublishResult publish(const OutboxRow& row) override {
        order.push_back(row.id);
        if (failAfter >= 0 && successes >= failAfter) {
            isConnected = false;
            return {false, false, "timeout"};
        }
        if (rejectIds.count(row.id) != 0) return {false, false, "no responders"};
        ++successes;
        const bool dup = !seen.insert(row.id).second;
        if (!dup) stream.push_back(row.id);
        return {true, dup, {}};
    }
    void publishNoAck(const OutboxRow& row) override {
        if (isConnected && seen.insert(row.id).second) stream.push_back(row.id);
    }
};

class OutboxRelayTest : public ::testing::Test {
protected:
    FakeStore store;
    FakePublisher publisher;
    WorkerMetrics metrics;
    sea::apps::StopSignal stop;
    RelayOptions options{10, std::chrono::milliseconds(1), std::chrono::milliseconds(1), std::chrono::milliseconds(2)};
    OutboxRelay relay{store, publisher, metrics, options, stop};
};

TEST_F(OutboxRelayTest, PublishesInOrderAndMarksEveryAckedRow) {
    store.add(25);
    EXPECT_EQ(relay.step().outcome, StepOutcome::FullBatch);
    EXPECT_EQ(relay.step().outcome, StepOutcome::FullBatch);
    const auto last = relay.step();
    EXPECT_EQ(last.outcome, StepOutcome::PartialBatch);
    EXPECT_EQ(last.published, 5u);
    EXPECT_EQ(relay.step().outcome, StepOutcome::Idle);
    EXPECT_EQ(store.publishedCount(), 25u);
    ASSERT_EQ(publisher.stream.size(), 25u);
    for (int i = 0; i < 25; ++i) EXPECT_EQ(publisher.stream[static_cast<std::size_t>(i)], "id-" + std::to_string(i));
    EXPECT_EQ(metrics.published.load(), 25u);
    EXPECT_EQ(metrics.claimed.load(), 25u);
    EXPECT_EQ(publisher.ensureCalls, 1);
}

TEST_F(OutboxRelayTest, BrokerLossMidBatchMarksOnlyAckedRowsAndStopsTheBatch) {
    store.add(10);
    publisher.failAfter = 3;
    const auto result = relay.step();
    EXPECT_EQ(result.outcome, StepOutcome::PublishFailed);
    EXPECT_EQ(result.published, 3u);
    EXPECT_EQ(store.publishedCount(), 3u);
    EXPECT_EQ(store.rows[3].attempts, 1);
    EXPECT_EQ(store.rows[3].lastError, "timeout");
    EXPECT_EQ(store.rows[4].attempts, 0);
    EXPECT_EQ(publisher.order.size(), 4u) << "the batch must stop when the broker is gone";
    EXPECT_EQ(metrics.publishRetries.load(), 1u);

    EXPECT_EQ(relay.step().outcome, StepOutcome::PublisherDown);
    publisher.failAfter = -1;
    publisher.isConnected = true;
    publisher.epoch = 2;
    EXPECT_EQ(relay.step().outcome, StepOutcome::PartialBatch);
    EXPECT_EQ(store.publishedCount(), 10u);
}

TEST_F(OutboxRelayTest, RejectedRowDoesNotBlockTheRowsBehindIt) {
    store.add(10);
    publisher.rejectIds = {"id-0"};
    const auto result = relay.step();
    EXPECT_EQ(result.outcome, StepOutcome::PublishFailed);
    EXPECT_EQ(result.published, 9u);
    EXPECT_FALSE(store.rows[0].published) << "a rejected row must never be marked";
    EXPECT_EQ(store.rows[0].attempts, 1);
    EXPECT_EQ(store.rows[0].lastError, "no responders");
    EXPECT_EQ(store.publishedCount(), 9u);
}

TEST_F(OutboxRelayTest, DoesNotClaimWhileTheBrokerIsDisconnected) {
    store.add(3);
    publisher.isConnected = false;
    EXPECT_EQ(relay.step().outcome, StepOutcome::PublisherDown);
    EXPECT_EQ(metrics.claimed.load(), 0u);
    EXPECT_EQ(store.rows[0].attempts, 0);
}

TEST_F(OutboxRelayTest, StreamFailureIsPublisherDownAndRetried) {
    store.add(1);
    publisher.ensureFails = true;
    EXPECT_EQ(relay.step().outcome, StepOutcome::PublisherDown);
    publisher.ensureFails = false;
    EXPECT_EQ(relay.step().outcome, StepOutcome::PartialBatch);
}

TEST_F(OutboxRelayTest, ReEnsuresTheStreamAfterABrokerReconnect) {
    store.add(2);
    relay.step();
    EXPECT_EQ(publisher.ensureCalls, 1);
    relay.step();
    EXPECT_EQ(publisher.ensureCalls, 1);
    publisher.epoch = 2;
    relay.step();
    EXPECT_EQ(publisher.ensureCalls, 2);
}

// The relay remembers the rows JetStream acked whose marks were lost with the database connection, and
// marks them after the reconnect without publishing them again: no re-send, so no reliance on the
// stream's duplicate window however long PostgreSQL was gone.
TEST_F(OutboxRelayTest, LostCommitMarksTheAckedRowsAfterTheReconnectWithoutResending) {
    store.add(5);
    store.loseConnectionAtCommit = 1;
    EXPECT_EQ(relay.step().outcome, StepOutcome::StoreDown);
    EXPECT_EQ(store.publishedCount(), 0u) << "nothing may be marked when the commit was lost";
    EXPECT_EQ(publisher.order.size(), 5u);

    store.add(2);  // rows produced during the outage are published normally
    EXPECT_EQ(relay.step().outcome, StepOutcome::PartialBatch);
    EXPECT_EQ(metrics.dbReconnects.load(), 1u);
    EXPECT_EQ(store.publishedCount(), 7u);
    EXPECT_EQ(publisher.order.size(), 7u) << "the five acked rows must not be published again";
    EXPECT_EQ(publisher.stream.size(), 7u);
    for (const auto& r : store.rows) EXPECT_EQ(r.publishCount, 1);
    EXPECT_EQ(metrics.published.load(), 7u) << "only committed marks are counted";
}

// Two lost commits in a row: the remembered ids survive the second loss (the marks were lost again).
TEST_F(OutboxRelayTest, RememberedAcksSurviveASecondLostCommit) {
    store.add(4);
    store.loseConnectionAtCommit = 1;
    EXPECT_EQ(relay.step().outcome, StepOutcome::StoreDown);
    store.loseConnectionAtCommit = 2;
    EXPECT_EQ(relay.step().outcome, StepOutcome::StoreDown);
    EXPECT_EQ(relay.step().outcome, StepOutcome::PartialBatch);
    EXPECT_EQ(store.publishedCount(), 4u);
    EXPECT_EQ(publisher.order.size(), 4u) << "acked rows are never re-sent while the broker connection holds";
}

// After the commit was lost the broker reconnected (a new connection epoch): the relay does not assume
// the stored messages and re-sends; JetStream's dedupe absorbs the copies (within its window).
TEST_F(OutboxRelayTest, LostCommitAfterABrokerReconnectResendsWithoutDoubleMarking) {
    store.add(5);
    store.loseConnectionAtCommit = 1;
    EXPECT_EQ(relay.step().outcome, StepOutcome::StoreDown);
    EXPECT_EQ(store.publishedCount(), 0u) << "nothing may be marked when the commit was lost";
    EXPECT_EQ(publisher.stream.size(), 5u);

    publisher.epoch = 2;
    EXPECT_EQ(relay.step().outcome, StepOutcome::PartialBatch);
    EXPECT_EQ(metrics.dbReconnects.load(), 1u);
    EXPECT_EQ(store.publishedCount(), 5u);
    EXPECT_EQ(publisher.order.size(), 10u) << "all five rows are re-sent";
    EXPECT_EQ(publisher.stream.size(), 5u) << "dedupe absorbs the re-sends";
    for (const auto& r : store.rows) EXPECT_EQ(r.publishCount, 1);
    EXPECT_EQ(metrics.published.load(), 5u) << "only committed marks are counted";
}

TEST_F(OutboxRelayTest, UnreachableDatabaseIsStoreDownNotAnException) {
    store.refuseConnect = true;
    EXPECT_EQ(relay.step().outcome, StepOutcome::StoreDown);
    store.refuseConnect = false;
    EXPECT_EQ(relay.step().outcome, StepOutcome::Idle);
    EXPECT_EQ(metrics.dbReconnects.load(), 0u) << "the first connect is not a reconnect";
}

TEST_F(OutboxRelayTest, RunReturnsPromptlyWhenStopIsRequested) {
    store.refuseConnect = true;
    stop.requestStop();
    relay.run();  // must not loop forever
    SUCCEED();
}

}  // namespace
}  // namespace sea::worker

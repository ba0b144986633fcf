#pragma once
// The relay's view of the outbox table, as an interface so the relay logic is unit-testable with a fake.
//
// Contract of one relay step (all calls from one thread):
//   claimBatch(n)   opens a transaction and locks up to n unpublished rows in (created_at, id) order,
//                   skipping rows another worker holds (FOR UPDATE SKIP LOCKED);
//   markPublished   sets published_at = clock_timestamp() (the moment of the UPDATE, after the rows' JetStream
//                   acks; not now(), which is the transaction start, i.e. the claim) for the given ids that are
//                   still unpublished, so published_at never precedes the broker's store time of the message;
//   recordFailure   attempts += 1, last_error = error for one id;
//   commit / rollback ends the transaction.
// Any failure throws StoreError; connectionLost() tells whether the connection is gone (reconnect needed)
// or only the statement failed (the transaction was rolled back, the connection is usable).
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace sea::worker {

struct OutboxRow {
    std::string id;       // uuid text; becomes Nats-Msg-Id
    std::string subject;  // NATS subject
    std::string payload;  // jsonb rendered as text; becomes the message data
};

class StoreError : public std::runtime_error {
public:
    StoreError(const std::string& message, bool connectionLost)
        : std::runtime_error(message), connectionLost_(connectionLost) {}
    bool connectionLost() const { return connectionLost_; }

private:
    bool connectionLost_;
};

class OutboxStore {
public:
    virtual ~OutboxStore() = default;
    // True while a usable connection exists (safe to call from any thread).
    virtual bool connected() const = 0;
    // (Re)connects and subscribes to wake-ups; throws StoreError on failure.
    virtual void connect() = 0;
    virtual std::vector<OutboxRow> claimBatch(int limit) = 0;
    virtual void markPublished(const std::vector<std::string>& ids) = 0;
    virtual void recordFailure(const std::string& id, const std::string& error) = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;
    // Blocks until a wake-up notification arrives (-> true) or `timeout` passes (-> false). Never throws;
    // a lost connection returns false and is reported by connected() afterwards.
    virtual bool waitForWork(std::chrono::milliseconds timeout) = 0;
};

}  // namespace sea::worker

#pragma once
// The relay's view of the message broker, as an interface so the relay logic is unit-testable.
#include "outbox_store.hpp"

#include <cstdint>
#include <string>

namespace sea::worker {

struct PublishResult {
    bool acked = false;   // true only when the broker acknowledged the stored message
    bool duplicate = false;  // the broker recognised the message id as already stored
    std::string error;    // why not, when !acked
};

class PublisherError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class EventPublisher {
public:
    virtual ~EventPublisher() = default;
    // True while connected to a server (safe to call from any thread).
    virtual bool connected() const = 0;
    // Increases on every (re)connect; the relay re-ensures the stream when it changes.
    virtual std::uint64_t connectionEpoch() const = 0;
    // Creates the stream when missing; throws PublisherError.
    virtual void ensureStream() = 0;
    // Publishes with Nats-Msg-Id = row.id and waits for the ack (bounded).
    virtual PublishResult publish(const OutboxRow& row) = 0;
    // Fire-and-forget publish without waiting for any ack. Only the mark-before-ack mutant calls it.
    virtual void publishNoAck(const OutboxRow& row) = 0;
};

}  // namespace sea::worker

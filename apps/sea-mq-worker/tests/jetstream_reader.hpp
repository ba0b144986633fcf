#pragma once
// Test-side JetStream access (cnats): reads back every message id of a stream.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sea::worker::testing {

struct StreamContents {
    std::uint64_t messages = 0;
    std::vector<std::string> msgIds;  // Nats-Msg-Id of every message, "" when absent
    std::vector<std::int64_t> storedNs;  // the stream's stored timestamp of every message (ns since the epoch, UTC)
};

// Reads stream info and every message by sequence (ids and stored timestamps); throws std::runtime_error on failure.
StreamContents readStream(const std::string& natsUrl, const std::string& stream);

// The parts of a stream's configuration the duplicate-window tests look at.
struct StreamSettings {
    std::chrono::nanoseconds duplicates{0};
    std::chrono::nanoseconds maxAge{0};
    std::int64_t maxMsgs = -1;
    std::vector<std::string> subjects;
};

// js_GetStreamInfo -> its Config; throws std::runtime_error when the stream does not exist.
StreamSettings readStreamSettings(const std::string& natsUrl, const std::string& stream);

// Creates a file stream as an older worker (or an operator) would have; throws on failure.
void createStream(const std::string& natsUrl, const std::string& stream, const std::vector<std::string>& subjects,
                  std::chrono::nanoseconds duplicates, std::int64_t maxMsgs = -1,
                  std::chrono::nanoseconds maxAge = std::chrono::nanoseconds(0));

// Publishes `payload` on `subject` with Nats-Msg-Id = msgId; returns the ack's Duplicate flag.
bool publishWithMsgId(const std::string& natsUrl, const std::string& subject, const std::string& msgId,
                      const std::string& payload = "{}");

}  // namespace sea::worker::testing

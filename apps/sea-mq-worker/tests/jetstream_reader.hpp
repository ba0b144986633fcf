#pragma once
// Test-side JetStream access (cnats): reads back every message id of a stream.
#include <cstdint>
#include <string>
#include <vector>

namespace sea::worker::testing {

struct StreamContents {
    std::uint64_t messages = 0;
    std::vector<std::string> msgIds;  // Nats-Msg-Id of every message, "" when absent
};

// Reads stream info and every message by sequence; throws std::runtime_error on failure.
StreamContents readStream(const std::string& natsUrl, const std::string& stream);

}  // namespace sea::worker::testing

// JetStream probe client: a small RAII wrapper around one cnats connection and one JetStream
// context bound to an optional domain. Same contract as every sea::probes call: observe and
// return (no exceptions on unreachable servers or API errors), explicit per-call timeouts.
// A JetStreamClient may be used from several threads at once (cnats connections and contexts
// are thread-safe); it is move-only, and a moved-from client must not be used.
//
// cnats 3.4.1 pitfalls handled here: DeliverPrefix of an external mirror is always "" (NULL
// segfaults js_AddStream); Duplicates is in nanoseconds; the domain is set through
// jsOptions.Domain only (never together with Prefix); URL lists go through natsOptions_SetServers.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sea::probes {

enum class StreamStorage { file, memory };
enum class StreamRetention { limits, interest, workqueue };
enum class StreamDiscard { old_messages, new_messages };

struct StreamMirror {
  std::string source_name;          // name of the stream to mirror
  std::string external_api_prefix;  // e.g. "$JS.sea-a.API" for another domain; empty = same domain
};

struct StreamConfig {
  std::string name;
  std::vector<std::string> subjects;                       // must be empty for a mirror
  std::chrono::nanoseconds duplicates_window = std::chrono::minutes(2);
  int64_t max_msgs = -1;                                   // -1 = unlimited
  int64_t max_bytes = -1;                                  // -1 = unlimited
  StreamStorage storage = StreamStorage::file;
  int replicas = 1;
  std::optional<StreamMirror> mirror;
  std::chrono::nanoseconds max_age{0};                     // 0 = unlimited (sent as nanoseconds)
  int64_t max_msgs_per_subject = -1;                       // -1 = unlimited
  int32_t max_msg_size = -1;                               // -1 = unlimited
  StreamRetention retention = StreamRetention::limits;
  StreamDiscard discard = StreamDiscard::old_messages;
  std::vector<std::string> placement_tags;                 // placement.tags: only servers carrying all of them (server_tags)
};

// A stream's configuration as the server reports it (every field of StreamConfig read back).
struct StreamConfigResult {
  bool ok = false;
  StreamConfig config;
  std::string error;
  int err_code = 0;
};

struct JsOpResult {
  bool ok = false;
  std::string error;       // cnats status text + server description
  int err_code = 0;        // JetStream API error code (e.g. 10059 stream not found), 0 if none
  std::chrono::microseconds latency{0};
};

struct StreamInfoResult {
  bool ok = false;
  uint64_t messages = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint64_t mirror_lag = 0;  // as reported by the server; NOTE stays 0 while a partitioned mirror falls behind
  std::string error;
  int err_code = 0;
  std::chrono::microseconds latency{0};
};

struct PublishResult {
  bool acked = false;
  uint64_t seq = 0;
  bool duplicate = false;  // the server recognised msg_id inside the dedupe window (seq = original's)
  std::string stream;
  std::string error;
  int err_code = 0;
  std::chrono::microseconds latency{0};
};

struct StoredMessage {
  uint64_t seq = 0;
  std::string msg_id;   // Nats-Msg-Id header ("" if absent)
  std::int64_t stored_unix_ns = 0;  // when the server stored it (natsMsg_GetTime; server clock, UTC ns)
  std::string subject;
  std::string data;
};

struct ReadResult {
  bool ok = false;                        // false if any read other than "no message at seq" failed
  std::vector<StoredMessage> messages;    // in sequence order; deleted sequences are skipped
  std::string error;
  int err_code = 0;
  std::chrono::microseconds latency{0};
};

struct JetStreamConnectResult;

struct JetStreamClientOptions {
  std::optional<std::string> domain;        // JetStream domain (API prefix $JS.<domain>.API)
  // Reconnect attempts per server after the connection is lost (cnats natsOptions_SetMaxReconnect; a
  // successful reconnect resets the count): 0 = none, fail fast (probe default); > 0 = up to that many;
  // -1 (any negative) = reconnect forever.
  int max_reconnect = 0;
  std::chrono::milliseconds reconnect_wait{100};
  std::string connection_name = "sea-probe";
};

class JetStreamClient {
 public:
  // urls: "nats://127.0.0.1:4222" or a comma-separated list. The timeout bounds the TCP/INFO
  // connect; no exception is thrown when the server is unreachable.
  static JetStreamConnectResult connect(const std::string& urls, std::chrono::milliseconds timeout,
                                        const JetStreamClientOptions& options = {});

  JetStreamClient(JetStreamClient&&) noexcept;
  JetStreamClient& operator=(JetStreamClient&&) noexcept;
  JetStreamClient(const JetStreamClient&) = delete;
  JetStreamClient& operator=(const JetStreamClient&) = delete;
  ~JetStreamClient();

  // True while the underlying connection is CONNECTED.
  bool connected() const;

  StreamInfoResult stream_info(const std::string& stream, std::chrono::milliseconds timeout) const;

  // The stream's configuration as stored by the server (to compare with what ensure_stream sent).
  StreamConfigResult stream_config(const std::string& stream, std::chrono::milliseconds timeout) const;

  // Publishes with header Nats-Msg-Id = msg_id (omitted when empty) and waits for the ack.
  PublishResult publish(const std::string& subject, const std::string& data, const std::string& msg_id,
                        std::chrono::milliseconds timeout) const;

  // Reads messages with sequence in [from_seq, to_seq] by direct "STREAM.MSG.GET" requests
  // (works on mirrors and across domains). to_seq == 0 means "up to the stream's last sequence".
  // At most max_messages are returned. The timeout bounds the whole read.
  ReadResult read_ids(const std::string& stream, uint64_t from_seq, uint64_t to_seq,
                      std::chrono::milliseconds timeout, std::size_t max_messages = 100000) const;

  // Creates the stream, or updates it when it already exists.
  JsOpResult ensure_stream(const StreamConfig& config, std::chrono::milliseconds timeout) const;

  JsOpResult delete_stream(const std::string& stream, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  explicit JetStreamClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct JetStreamConnectResult {
  std::optional<JetStreamClient> client;  // set on success
  std::string error;                      // set on failure
  std::chrono::microseconds latency{0};
  explicit operator bool() const { return client.has_value(); }
};

}  // namespace sea::probes

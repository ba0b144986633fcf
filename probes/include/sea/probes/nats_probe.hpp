// NATS server probes: monitoring endpoints (HTTP), the client-protocol INFO handshake (raw TCP)
// and a real cnats connect. Same contract as every sea::probes call: observe and return, never
// throw, explicit timeouts, thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sea/probes/http_probe.hpp"

namespace sea::probes {

struct NatsHealth {
  bool ok = false;               // HTTP 200 from /healthz
  HttpOutcome outcome = HttpOutcome::other_error;
  long status = 0;
  std::string body;              // e.g. {"status":"ok"} or the server's error document
  std::chrono::microseconds latency{0};
  std::string error;
};

// GET <monitor_url>/healthz (with ?js-enabled-only=true when requested). monitor_url is
// "http://127.0.0.1:8222" (a trailing slash is tolerated).
NatsHealth nats_healthz(const std::string& monitor_url, std::chrono::milliseconds timeout,
                        bool js_enabled_only = false);

// GET <monitor_url><path> (path such as "/varz", "/leafz", "/jsz?accounts=true") and parse JSON.
// std::nullopt when the request fails, the status is not 2xx or the body is not JSON.
std::optional<nlohmann::json> nats_monitor_json(const std::string& monitor_url, const std::string& path,
                                                std::chrono::milliseconds timeout);

struct NatsInfo {
  bool ok = false;               // an "INFO {json}" line arrived and parsed
  std::string server_id;
  std::string server_name;
  std::string version;
  bool jetstream = false;
  std::string domain;            // JetStream domain advertised in INFO, if any
  nlohmann::json raw;            // the whole INFO document
  std::chrono::microseconds latency{0};
  std::string error;             // "refused", "timed out", "bad url: ...", "protocol: ..." etc.
};

// Opens a TCP connection to nats_url ("nats://host:port", "host:port"; for a comma-separated list
// the first entry is used) and reads the server's INFO line. Unlike a bare TCP connect (which
// docker-proxy accepts even while the server is down or paused) this proves the protocol answers.
NatsInfo nats_info_handshake(const std::string& nats_url, std::chrono::milliseconds timeout);

// Connects with cnats (no reconnect), flushes one PING/PONG and closes. url may be a
// comma-separated list. False on any failure.
bool nats_can_connect(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace sea::probes

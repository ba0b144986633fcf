// HTTP probes over libcurl.
//
// Contract (shared by every sea::probes call): a probe OBSERVES and RETURNS a value. It never asserts,
// never throws on a failed observation and never throws on bad input: a malformed URL yields
// HttpOutcome::bad_url. Every call takes an explicit timeout that bounds the whole exchange
// (connect + request + response). Calls are thread-safe; each call uses its own curl easy handle.
// Proxies from the environment are ignored (CURLOPT_NOPROXY "*"): probes talk to loopback directly.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sea::probes {

enum class HttpOutcome {
  ok,           // an HTTP response arrived (any status, including 4xx/5xx)
  refused,      // TCP connect refused / could not connect
  timed_out,    // the timeout expired before a complete response
  bad_url,      // the URL is malformed or not http(s)://host[:port][/path]
  reset,        // the connection was reset / closed before a complete response
  other_error,  // anything else (DNS failure, invalid input such as a malformed trace id, ...)
};

std::string to_string(HttpOutcome outcome);

struct HttpResult {
  HttpOutcome outcome = HttpOutcome::other_error;
  long status = 0;                        // HTTP status; 0 unless outcome == ok
  std::string body;                       // response body (possibly partial on failure)
  std::chrono::microseconds latency{0};   // wall time of the whole call
  std::string error;                      // human-readable cause when outcome != ok

  // True when a response arrived with a 2xx status.
  bool ok() const { return outcome == HttpOutcome::ok && status >= 200 && status < 300; }
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Checks the URL shape accepted by the HTTP probes: scheme http or https, a non-empty host,
// an optional numeric port 1..65535, no whitespace. Returns an empty string when valid,
// else a message naming the problem.
std::string validate_http_url(const std::string& url);

HttpResult http_get(const std::string& url, std::chrono::milliseconds timeout, const HttpHeaders& headers = {});

HttpResult http_post(const std::string& url, const std::string& body, const std::string& content_type,
                     std::chrono::milliseconds timeout, const HttpHeaders& headers = {});

}  // namespace sea::probes

// libcurl implementation of the HTTP probes (see sea/probes/http_probe.hpp for the contract).
#include "sea/probes/http_probe.hpp"

#include <curl/curl.h>

#include <cctype>
#include <cerrno>
#include <memory>
#include <mutex>

#include <fmt/core.h>

namespace sea::probes {
namespace {

void ensure_curl_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

HttpOutcome classify(CURLcode code, long os_errno) {
  switch (code) {
    case CURLE_OK: return HttpOutcome::ok;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return HttpOutcome::bad_url;
    case CURLE_COULDNT_CONNECT: return os_errno == ETIMEDOUT ? HttpOutcome::timed_out : HttpOutcome::refused;
    case CURLE_OPERATION_TIMEDOUT: return HttpOutcome::timed_out;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: return HttpOutcome::reset;
    default: return HttpOutcome::other_error;
  }
}

struct CurlSlist {
  curl_slist* list = nullptr;
  ~CurlSlist() { curl_slist_free_all(list); }
  void add(const std::string& line) { list = curl_slist_append(list, line.c_str()); }
};

HttpResult perform(const std::string& url, const std::string* post_body, const std::string& content_type,
                   std::chrono::milliseconds timeout, const HttpHeaders& headers) {
  const auto start = std::chrono::steady_clock::now();
  HttpResult result;
  auto finish = [&]() -> HttpResult {
    result.latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    return result;
  };
  if (auto problem = validate_http_url(url); !problem.empty()) {
    result.outcome = HttpOutcome::bad_url;
    result.error = problem;
    return finish();
  }
  if (timeout.count() <= 0) {
    result.outcome = HttpOutcome::other_error;
    result.error = fmt::format("timeout must be positive, got {} ms", timeout.count());
    return finish();
  }
  ensure_curl_initialised();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(), &curl_easy_cleanup);
  if (!handle) {
    result.error = "curl_easy_init failed";
    return finish();
  }
  CURL* curl = handle.get();
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  CurlSlist header_list;
  for (const auto& [name, value] : headers) header_list.add(name + ": " + value);
  if (post_body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
    header_list.add("Content-Type: " + content_type);
    header_list.add("Expect:");  // no 100-continue round trip
  }
  if (header_list.list != nullptr) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.list);

  const CURLcode code = curl_easy_perform(curl);
  long os_errno = 0;
  curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
  result.outcome = classify(code, os_errno);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  } else {
    result.error = fmt::format("{}: {}", curl_easy_strerror(code), error_buffer[0] != 0 ? error_buffer : "");
  }
  return finish();
}

}  // namespace

std::string to_string(HttpOutcome outcome) {
  switch (outcome) {
    case HttpOutcome::ok: return "ok";
    case HttpOutcome::refused: return "refused";
    case HttpOutcome::timed_out: return "timed_out";
    case HttpOutcome::bad_url: return "bad_url";
    case HttpOutcome::reset: return "reset";
    case HttpOutcome::other_error: return "other_error";
  }
  return "unknown";
}

std::string validate_http_url(const std::string& url) {
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else {
    return fmt::format("bad url '{}': scheme must be http:// or https://", url);
  }
  for (unsigned char c : url) {
    if (std::isspace(c) != 0 || std::iscntrl(c) != 0) return fmt::format("bad url '{}': contains whitespace", url);
  }
  const auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string::npos) return fmt::format("bad url '{}': credentials are not supported", url);
  std::string host = authority;
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return fmt::format("bad url '{}': unterminated IPv6 literal", url);
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return fmt::format("bad url '{}': junk after IPv6 literal", url);
      port = authority.substr(close + 2);
      if (port.empty()) return fmt::format("bad url '{}': empty port", url);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return fmt::format("bad url '{}': empty port", url);
  }
  if (host.empty()) return fmt::format("bad url '{}': empty host", url);
  if (!port.empty()) {
    if (port.size() > 5) return fmt::format("bad url '{}': port out of range", url);
    for (unsigned char c : port) {
      if (std::isdigit(c) == 0) return fmt::format("bad url '{}': port '{}' is not a number", url, port);
    }
    const int number = std::stoi(port);
    if (number < 1 || number > 65535) return fmt::format("bad url '{}': port {} out of range 1..65535", url, number);
  }
  return {};
}

HttpResult http_get(const std::string& url, std::chrono::milliseconds timeout, const HttpHeaders& headers) {
  return perform(url, nullptr, {}, timeout, headers);
}

HttpResult http_post(const std::string& url, const std::string& body, const std::string& content_type,
                     std::chrono::milliseconds timeout, const HttpHeaders& headers) {
  return perform(url, &body, content_type, timeout, headers);
}

}  // namespace sea::probes

// NATS probes (see sea/probes/nats_probe.hpp for the contract).
#include "sea/probes/nats_probe.hpp"
#include "elapsed.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/core.h>
#include <nats/nats.h>

namespace sea::probes {
namespace {

using detail::Clock;
using detail::since;
using detail::remaining_ms;

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

struct HostPort {
  std::string host;
  std::string port;
  std::string error;
};

// "nats://host:port", "tls://host:port", "host:port" (first entry of a comma-separated list).
HostPort split_nats_url(const std::string& url) {
  std::string rest = url.substr(0, url.find(','));
  if (const auto scheme = rest.find("://"); scheme != std::string::npos) rest = rest.substr(scheme + 3);
  if (const auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  HostPort result;
  if (rest.empty()) {
    result.error = fmt::format("bad url '{}': empty host", url);
  } else if (colon == std::string::npos) {
    result.host = rest;
    result.port = "4222";
  } else {
    result.host = rest.substr(0, colon);
    result.port = rest.substr(colon + 1);
    if (result.host.empty() || result.port.empty() ||
        result.port.find_first_not_of("0123456789") != std::string::npos) {
      result.error = fmt::format("bad url '{}': expected host:port", url);
    }
  }
  return result;
}

struct FdGuard {
  int fd = -1;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

// Connects with a deadline; returns "" on success or an error message.
std::string connect_with_deadline(FdGuard& sock, const HostPort& where, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(where.host.c_str(), where.port.c_str(), &hints, &found); rc != 0) {
    return fmt::format("resolve {}:{}: {}", where.host, where.port, gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  sock.fd = ::socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, found->ai_protocol);
  if (sock.fd < 0) return fmt::format("socket: {}", std::strerror(errno));
  if (::connect(sock.fd, found->ai_addr, found->ai_addrlen) == 0) return {};
  if (errno != EINPROGRESS) return errno == ECONNREFUSED ? "refused" : fmt::format("connect: {}", std::strerror(errno));
  pollfd pfd{sock.fd, POLLOUT, 0};
  const int ready = ::poll(&pfd, 1, remaining_ms(deadline));
  if (ready == 0) return "timed out connecting";
  int so_error = 0;
  socklen_t len = sizeof(so_error);
  ::getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error == ECONNREFUSED) return "refused";
  if (so_error != 0) return fmt::format("connect: {}", std::strerror(so_error));
  return {};
}

}  // namespace

NatsHealth nats_healthz(const std::string& monitor_url, std::chrono::milliseconds timeout, bool js_enabled_only) {
  const auto url = trim_slash(monitor_url) + (js_enabled_only ? "/healthz?js-enabled-only=true" : "/healthz");
  auto http = http_get(url, timeout);
  NatsHealth health;
  health.ok = http.outcome == HttpOutcome::ok && http.status == 200;
  health.outcome = http.outcome;
  health.status = http.status;
  health.body = std::move(http.body);
  health.latency = http.latency;
  health.error = http.outcome == HttpOutcome::ok && !health.ok ? fmt::format("HTTP {}", http.status) : http.error;
  return health;
}

std::optional<nlohmann::json> nats_monitor_json(const std::string& monitor_url, const std::string& path,
                                                std::chrono::milliseconds timeout) {
  const auto separator = (!path.empty() && path.front() == '/') ? "" : "/";
  auto http = http_get(trim_slash(monitor_url) + separator + path, timeout);
  if (!http.ok()) return std::nullopt;
  auto parsed = nlohmann::json::parse(http.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

NatsInfo nats_info_handshake(const std::string& nats_url, std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  NatsInfo info;
  auto finish = [&](std::string error) {
    info.error = std::move(error);
    info.latency = since(start);
    return info;
  };
  const auto where = split_nats_url(nats_url);
  if (!where.error.empty()) return finish(where.error);
  FdGuard sock;
  if (auto error = connect_with_deadline(sock, where, deadline); !error.empty()) return finish(error);
  std::string received;
  while (received.find("\r\n") == std::string::npos) {
    if (received.size() > 64 * 1024) return finish("protocol: INFO line longer than 64 KiB");
    pollfd pfd{sock.fd, POLLIN, 0};
    const int left = remaining_ms(deadline);
    if (left == 0 || ::poll(&pfd, 1, left) == 0) return finish("timed out waiting for INFO");
    char buffer[4096];
    const auto n = ::recv(sock.fd, buffer, sizeof(buffer), 0);
    if (n == 0) return finish("protocol: connection closed before INFO");
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return finish(fmt::format("recv: {}", std::strerror(errno)));
    }
    received.append(buffer, static_cast<size_t>(n));
  }
  const auto line = received.substr(0, received.find("\r\n"));
  if (line.rfind("INFO ", 0) != 0) return finish(fmt::format("protocol: expected INFO, got '{}'", line.substr(0, 80)));
  auto parsed = nlohmann::json::parse(line.substr(5), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return finish("protocol: INFO payload is not a JSON object");
  info.server_id = parsed.value("server_id", "");
  info.server_name = parsed.value("server_name", "");
  info.version = parsed.value("version", "");
  info.jetstream = parsed.value("jetstream", false);
  info.domain = parsed.value("domain", "");
  info.raw = std::move(parsed);
  info.ok = true;
  return finish({});
}

bool nats_can_connect(const std::string& url, std::chrono::milliseconds timeout) {
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK) return false;
  std::unique_ptr<natsOptions, decltype(&natsOptions_Destroy)> opts_guard(opts, &natsOptions_Destroy);
  std::vector<std::string> servers;
  for (size_t begin = 0; begin <= url.size();) {
    const auto end = std::min(url.find(',', begin), url.size());
    if (end > begin) servers.push_back(url.substr(begin, end - begin));
    begin = end + 1;
  }
  if (servers.empty()) return false;
  std::vector<const char*> pointers;
  for (const auto& s : servers) pointers.push_back(s.c_str());
  if (natsOptions_SetServers(opts, pointers.data(), static_cast<int>(pointers.size())) != NATS_OK) return false;
  natsOptions_SetTimeout(opts, timeout.count());
  natsOptions_SetAllowReconnect(opts, false);
  natsOptions_SetMaxReconnect(opts, 0);
  natsConnection* conn = nullptr;
  if (natsConnection_Connect(&conn, opts) != NATS_OK) return false;
  const bool flushed = natsConnection_FlushTimeout(conn, timeout.count()) == NATS_OK;
  natsConnection_Destroy(conn);
  return flushed;
}

}  // namespace sea::probes

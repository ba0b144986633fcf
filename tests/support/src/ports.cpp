// Loopback port helpers and the TCP fakes (see ports.hpp, tcp_fakes.hpp).
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/tcp_fakes.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

namespace sea::testsupport {
namespace {

// Binds a TCP socket to 127.0.0.1:0; returns the fd and stores the port.
int bind_ephemeral(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error(std::string("bind 127.0.0.1:0: ") + std::strerror(err));
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

// bind_ephemeral() and listen: the fd of a listening socket on 127.0.0.1:<port>.
int listen_ephemeral(int& port) {
  const int fd = bind_ephemeral(port);
  if (::listen(fd, 128) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error(std::string("listen: ") + std::strerror(err));
  }
  return fd;
}

}  // namespace

int free_loopback_port() {
  static std::mutex mutex;
  static std::set<int> handed_out;
  for (int attempt = 0; attempt < 100; ++attempt) {
    int port = 0;
    ::close(bind_ephemeral(port));
    std::lock_guard lock(mutex);
    if (handed_out.insert(port).second) return port;
  }
  throw std::runtime_error("free_loopback_port: no new port after 100 attempts");
}

int closed_loopback_port() { return free_loopback_port(); }

SilentTcpServer::SilentTcpServer() { fd_ = listen_ephemeral(port_); }

SilentTcpServer::~SilentTcpServer() {
  if (fd_ >= 0) ::close(fd_);
}

OneShotNatsServer::OneShotNatsServer() {
  fd_ = listen_ephemeral(port_);
  thread_ = std::thread([this] { serve(); });
}

OneShotNatsServer::~OneShotNatsServer() {
  stopping_ = true;
  drop_first();  // wakes serve() while it holds the first connection
  thread_.join();
  ::close(fd_);
}

void OneShotNatsServer::drop_first() {
  {
    std::lock_guard lock(mutex_);
    dropped_ = true;
  }
  dropped_cv_.notify_all();
}

void OneShotNatsServer::serve() {
  // Every wait polls for 20 ms at a time, so that destruction is noticed.
  const auto readable = [this](int fd) {
    pollfd p{fd, POLLIN, 0};
    while (!stopping_) {
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  };
  const auto accept_one = [&]() -> int {
    while (readable(fd_)) {
      const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn >= 0) {
        ++connections_;
        return conn;
      }
    }
    return -1;
  };
  const auto send_text = [](int fd, const std::string& text) { ::send(fd, text.data(), text.size(), MSG_NOSIGNAL); };

  const int first = accept_one();
  if (first < 0) return;
  send_text(first, R"(INFO {"server_id":"sea-one-shot-fake","version":"2.9.10","proto":1,"host":"127.0.0.1","port":)" +
                       std::to_string(port_) + R"(,"max_payload":1048576,"headers":true})" + "\r\n");
  std::string received;  // the client sends CONNECT then PING
  char buffer[512];
  while (received.find("PING\r\n") == std::string::npos && readable(first)) {
    const auto n = ::recv(first, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  send_text(first, "PONG\r\n");
  {
    std::unique_lock lock(mutex_);
    dropped_cv_.wait(lock, [this] { return dropped_; });
  }
  ::close(first);
  for (int conn = accept_one(); conn >= 0; conn = accept_one()) ::close(conn);
}

}  // namespace sea::testsupport

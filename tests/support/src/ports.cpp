// Loopback port helpers and the silent TCP fake (see ports.hpp, tcp_fakes.hpp).
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/tcp_fakes.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
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

SilentTcpServer::SilentTcpServer() {
  fd_ = bind_ephemeral(port_);
  if (::listen(fd_, 128) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::runtime_error(std::string("listen: ") + std::strerror(err));
  }
}

SilentTcpServer::~SilentTcpServer() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace sea::testsupport

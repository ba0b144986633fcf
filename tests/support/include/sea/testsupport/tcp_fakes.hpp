// In-process TCP fakes for failure-path tests (no real servers involved).
#pragma once

namespace sea::testsupport {

// Listens on 127.0.0.1:<free port> and never reads or writes: connects complete (through the
// kernel's accept backlog) but no byte ever arrives, so clients time out. Closed on destruction.
class SilentTcpServer {
 public:
  SilentTcpServer();  // throws std::runtime_error on socket errors
  SilentTcpServer(const SilentTcpServer&) = delete;
  SilentTcpServer& operator=(const SilentTcpServer&) = delete;
  ~SilentTcpServer();
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace sea::testsupport

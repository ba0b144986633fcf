// In-process TCP fakes for failure-path tests (no real servers involved).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

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

// Listens on 127.0.0.1:<free port> and is a NATS server for ONE connection: the first one it accepts gets INFO and a
// PONG to the client's PING (the connect handshake completes) and is held open until drop_first(). Every later
// connection is closed as soon as it is accepted, before INFO: a reconnect attempt that fails. connections()
// counts the accepted ones, so after drop_first() it is 1 + the client's reconnect attempts. Closed on
// destruction (a thread accepts until then).
class OneShotNatsServer {
 public:
  OneShotNatsServer();  // throws std::runtime_error on socket errors
  OneShotNatsServer(const OneShotNatsServer&) = delete;
  OneShotNatsServer& operator=(const OneShotNatsServer&) = delete;
  ~OneShotNatsServer();
  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  void drop_first();  // closes the first connection (the client sees the server go away)

 private:
  void serve();
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable dropped_cv_;
  bool dropped_ = false;
  std::thread thread_;
};

}  // namespace sea::testsupport

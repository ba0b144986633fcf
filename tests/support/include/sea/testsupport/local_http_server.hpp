// An in-process HTTP server (cpp-httplib) on 127.0.0.1:<free port>, for HTTP probe tests and
// stand-in backends. Register handlers on server() BEFORE start(); the server runs in its own
// thread until stop() or destruction.
//
// Slow handlers should wait with sleep_unless_stopping(), which returns early when the server is
// stopping, so destruction never waits for a long sleep.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace sea::testsupport {

class LocalHttpServer {
 public:
  LocalHttpServer();  // binds 127.0.0.1 on a free port; throws std::runtime_error on failure
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;
  ~LocalHttpServer();

  httplib::Server& server() { return server_; }
  void start();  // starts serving; returns once the server accepts requests
  void stop();   // idempotent

  int port() const { return port_; }
  std::string url(const std::string& path = "") const;  // http://127.0.0.1:PORT + path

  // Sleeps for `duration` unless the server stops first. Returns true when it slept the full time.
  bool sleep_unless_stopping(std::chrono::milliseconds duration);

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable stopping_cv_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace sea::testsupport

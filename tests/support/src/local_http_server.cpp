// In-process HTTP server for tests (see local_http_server.hpp).
#include "sea/testsupport/local_http_server.hpp"

#include <stdexcept>

#include "sea/testsupport/poll.hpp"

namespace sea::testsupport {

LocalHttpServer::LocalHttpServer() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("LocalHttpServer: cannot bind 127.0.0.1");
}

LocalHttpServer::~LocalHttpServer() { stop(); }

void LocalHttpServer::start() {
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  if (!poll_until(std::chrono::milliseconds(5000), [this] { return server_.is_running(); }, std::chrono::milliseconds(2))) {
    throw std::runtime_error("LocalHttpServer: not running 5 s after start()");
  }
}

void LocalHttpServer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  if (started_) server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string LocalHttpServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

bool LocalHttpServer::sleep_unless_stopping(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  return !stopping_cv_.wait_for(lock, duration, [this] { return stopping_; });
}

}  // namespace sea::testsupport

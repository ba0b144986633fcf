#include "worker_http.hpp"

#include <httplib.h>

#include <fmt/core.h>

namespace sea::worker {

std::string readinessJson(bool dbConnected, bool natsConnected) {
    const auto state = [](bool up) { return up ? "connected" : "disconnected"; };
    return fmt::format(R"({{"ready":{},"db":"{}","nats":"{}"}})", dbConnected && natsConnected ? "true" : "false",
                       state(dbConnected), state(natsConnected));
}

WorkerHttpServer::WorkerHttpServer(const WorkerMetrics& metrics, ReadinessProbe probe)
    : metrics_(metrics), probe_(std::move(probe)), server_(std::make_unique<httplib::Server>()) {}

WorkerHttpServer::~WorkerHttpServer() { stop(); }

int WorkerHttpServer::start(const std::string& host, int port) {
    server_->set_tcp_nodelay(true);
    server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
        const bool db = probe_.dbConnected();
        const bool nats = probe_.natsConnected();
        res.status = db && nats ? 200 : 503;
        res.set_content(readinessJson(db, nats), "application/json");
    });
    server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(metrics_.renderPrometheus(), "text/plain; version=0.0.4");
    });
    int bound = port;
    if (port == 0) {
        bound = server_->bind_to_any_port(host);
        if (bound <= 0) throw std::runtime_error(fmt::format("WORKER_HTTP_PORT: cannot bind {}:0", host));
    } else if (!server_->bind_to_port(host, port)) {
        throw std::runtime_error(fmt::format("WORKER_HTTP_PORT: cannot bind {}:{}", host, port));
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    return bound;
}

void WorkerHttpServer::stop() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace sea::worker

#pragma once
// HTTP endpoints of sea-mq-worker (cpp-httplib, own thread):
//   GET /healthz -> 200 "ok" while the process runs
//   GET /readyz  -> 200 when both PostgreSQL and NATS are connected, else 503;
//                   body {"ready":bool,"db":"connected|disconnected","nats":"connected|disconnected"}
//   GET /metrics -> Prometheus text (WorkerMetrics)
#include "worker_metrics.hpp"

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace sea::worker {

struct ReadinessProbe {
    std::function<bool()> dbConnected;
    std::function<bool()> natsConnected;
};

// Body of /readyz for the given states (exposed for unit tests).
std::string readinessJson(bool dbConnected, bool natsConnected);

class WorkerHttpServer {
public:
    WorkerHttpServer(const WorkerMetrics& metrics, ReadinessProbe probe);
    ~WorkerHttpServer();
    // Binds host:port (port 0 = OS-chosen) and serves in a background thread; returns the bound port.
    // Throws std::runtime_error naming the address when binding fails.
    int start(const std::string& host, int port);
    void stop();

private:
    const WorkerMetrics& metrics_;
    ReadinessProbe probe_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
};

}  // namespace sea::worker

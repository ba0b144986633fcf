// policy-gateway-bench: decisions/s and p50/p99 latency of POST /v1/authorize through the real gateway
// binary to a real OPA (tiny policy). Usage: policy-gateway-bench [requests=5000] [clients=4]
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/child_process.hpp"
#include "sea/testsupport/local_opa.hpp"
#include "sea/testsupport/poll.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/temp_dir.hpp"

#include <httplib.h>

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
    using namespace sea::testsupport;
    using namespace std::chrono_literals;
    const int requests = argc > 1 ? std::atoi(argv[1]) : 5000;
    const int clients = argc > 2 ? std::atoi(argv[2]) : 4;
    if (requests < 1 || requests > 1000000 || clients < 1 || clients > 64) {
        fmt::print(stderr, "usage: policy-gateway-bench [requests 1..1000000] [clients 1..64]\n");
        return 2;
    }
    try {
        if (!opa_binary()) throw std::runtime_error("OPA binary not found ($SEA_OPA_BIN, <repo>/.cache/bin/opa or PATH)");
        TempDir dir("sea-gateway-bench-");
        LocalOpa opa(LocalOpaOptions{
            "package sea.authz\n\ndefault allow := false\n\nallow if {\n    input.subject == \"alice\"\n}\n"});
        const int port = free_loopback_port();
        ChildProcess gateway({SEA_GATEWAY_BIN}, dir.path() + "/gateway.log",
                             {{"OPA_URL", opa.url()}, {"GATEWAY_PORT", std::to_string(port)}});
        if (!poll_until(10s, [&] { httplib::Client c("127.0.0.1", port); auto r = c.Get("/readyz"); return r && r->status == 200; })) {
            throw std::runtime_error("gateway not ready");
        }
        std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
        std::atomic<int> next{0};
        std::atomic<int> failures{0};
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> threads;
        for (int c = 0; c < clients; ++c) {
            threads.emplace_back([&, c] {
                httplib::Client client("127.0.0.1", port);
                client.set_keep_alive(true);
                client.set_tcp_nodelay(true);
                while (next.fetch_add(1) < requests) {
                    const auto t0 = std::chrono::steady_clock::now();
                    auto res = client.Post("/v1/authorize", R"({"subject":"alice","action":"read","resource":"d"})",
                                           "application/json");
                    const auto t1 = std::chrono::steady_clock::now();
                    if (!res || res->status != 200) failures.fetch_add(1);
                    latencies[static_cast<std::size_t>(c)].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
                }
            });
        }
        for (auto& t : threads) t.join();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::vector<double> all;
        for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
        std::sort(all.begin(), all.end());
        const auto pct = [&](double p) { return all[std::min(all.size() - 1, static_cast<std::size_t>(p * all.size()))]; };
        fmt::print("policy-gateway: {} requests, {} clients, {:.0f} decisions/s, p50 {:.2f} ms, p99 {:.2f} ms, "
                   "failures {}\n",
                   requests, clients, requests / seconds, pct(0.50), pct(0.99), failures.load());
        return failures.load() == 0 ? 0 : 1;
    } catch (const std::exception& error) {
        fmt::print(stderr, "policy-gateway-bench: {}\n", error.what());
        return 1;
    }
}

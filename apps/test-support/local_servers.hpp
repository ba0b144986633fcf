#pragma once
// Real servers for integration tests, each on a free loopback port with its state in a temp dir:
//   LocalPostgres  initdb + pg_ctl (runs as user `postgres` via runuser when the test runs as root)
//   LocalNats      nats-server -js with a store dir and a monitoring port (/healthz = ready)
//   LocalOpa       opa run --server with a policy directory (/health = ready)
// Constructors only prepare; start() waits (bounded) for readiness and throws std::runtime_error with
// the server's log tail when it does not come up. Destructors stop the servers.
#include "child_process.hpp"
#include "test_env.hpp"

#include <memory>
#include <optional>
#include <string>

namespace sea::apps_test {

class LocalPostgres {
public:
    static constexpr const char* kDefaultBinDir = "/usr/lib/postgresql/15/bin";
    // nullopt when initdb/pg_ctl are missing.
    static std::optional<std::string> findBinDir();

    explicit LocalPostgres(std::string binDir);
    ~LocalPostgres();
    void start();
    void stop();         // pg_ctl stop -m fast
    void restartFast();  // pg_ctl restart -m fast (waits until accepting connections)
    int port() const { return port_; }
    std::string url() const;  // postgresql://postgres@127.0.0.1:PORT/postgres
    // Runs SQL (several statements allowed); throws with the server's message on error.
    void exec(const std::string& sql) const;
    // First column of the first row of a query, as text.
    std::string scalar(const std::string& sql) const;

private:
    std::vector<std::string> asOwner(std::vector<std::string> argv) const;

    std::string binDir_;
    TempDir dir_{"sea-pg"};
    int port_;
    bool running_ = false;
};

class LocalNats {
public:
    static std::optional<std::string> findBinary();  // $SEA_NATS_SERVER_BIN or /usr/sbin/nats-server

    explicit LocalNats(std::string binary);
    ~LocalNats();
    void start();   // same port and store dir every time
    void kill();    // SIGKILL
    bool ready() const;
    int port() const { return port_; }
    std::string url() const;  // nats://127.0.0.1:PORT
    const std::string& storeDir() const { return dir_.path(); }

private:
    std::string binary_;
    TempDir dir_{"sea-nats"};
    int port_;
    int monitorPort_;
    std::unique_ptr<ChildProcess> process_;
};

class LocalOpa {
public:
    // `policyDir` holds .rego files loaded at start.
    LocalOpa(std::string binary, std::string policyDir);
    ~LocalOpa();
    void start();
    void kill();
    void pause();   // SIGSTOP: accepts TCP connections (kernel backlog) but never answers
    void resume();  // SIGCONT
    bool ready() const;
    int port() const { return port_; }
    std::string url() const;  // http://127.0.0.1:PORT

private:
    std::string binary_;
    std::string policyDir_;
    TempDir dir_{"sea-opa"};
    int port_;
    std::unique_ptr<ChildProcess> process_;
};

// Last `bytes` of a file (for error messages).
std::string tailOf(const std::string& path, std::size_t bytes = 2000);

}  // namespace sea::apps_test

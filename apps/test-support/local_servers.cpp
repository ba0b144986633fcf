#include "local_servers.hpp"

#include <httplib.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <fmt/core.h>
#include <stdexcept>

namespace sea::apps_test {
namespace {

bool httpOk(int port, const char* path) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(std::chrono::milliseconds(300));
    client.set_read_timeout(std::chrono::milliseconds(500));
    auto res = client.Get(path);
    return res && res->status == 200;
}

}  // namespace

std::string tailOf(const std::string& path, std::size_t bytes) {
    const auto text = readFile(path);
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

// ---------------- PostgreSQL ----------------

std::optional<std::string> LocalPostgres::findBinDir() {
    const std::string dir = kDefaultBinDir;
    if (::access((dir + "/initdb").c_str(), X_OK) == 0 && ::access((dir + "/pg_ctl").c_str(), X_OK) == 0) return dir;
    return std::nullopt;
}

LocalPostgres::LocalPostgres(std::string binDir) : binDir_(std::move(binDir)), port_(freeLoopbackPort()) {
    if (::geteuid() == 0) {
        passwd* owner = ::getpwnam("postgres");
        if (owner == nullptr) throw std::runtime_error("running as root but user postgres does not exist");
        if (::chown(dir_.path().c_str(), owner->pw_uid, owner->pw_gid) != 0) {
            throw std::runtime_error("chown postgres " + dir_.path());
        }
    }
    const std::string log = dir_.path() + "/initdb.log";
    const int rc = runCommand(asOwner({binDir_ + "/initdb", "-D", dir_.path() + "/data", "-U", "postgres", "-A",
                                       "trust", "-E", "UTF8", "--no-sync"}),
                              log);
    if (rc != 0) throw std::runtime_error("initdb failed: " + tailOf(log));
}

LocalPostgres::~LocalPostgres() {
    if (running_) {
        try {
            runCommand(asOwner({binDir_ + "/pg_ctl", "-D", dir_.path() + "/data", "-m", "immediate", "-w", "stop"}),
                       dir_.path() + "/pg_ctl.log", std::chrono::seconds(30));
        } catch (...) {
        }
    }
}

std::vector<std::string> LocalPostgres::asOwner(std::vector<std::string> argv) const {
    if (::geteuid() != 0) return argv;
    std::vector<std::string> wrapped{"/usr/sbin/runuser", "-u", "postgres", "--"};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return wrapped;
}

void LocalPostgres::start() {
    const std::string options = fmt::format(
        "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=50",
        port_, dir_.path());
    const int rc = runCommand(asOwner({binDir_ + "/pg_ctl", "-D", dir_.path() + "/data", "-l",
                                       dir_.path() + "/postgres.log", "-o", options, "-w", "-t", "60", "start"}),
                              dir_.path() + "/pg_ctl.log", std::chrono::seconds(90));
    if (rc != 0) throw std::runtime_error("pg_ctl start failed: " + tailOf(dir_.path() + "/postgres.log"));
    running_ = true;
}

void LocalPostgres::stop() {
    const int rc = runCommand(asOwner({binDir_ + "/pg_ctl", "-D", dir_.path() + "/data", "-m", "fast", "-w", "stop"}),
                              dir_.path() + "/pg_ctl.log");
    if (rc != 0) throw std::runtime_error("pg_ctl stop failed: " + tailOf(dir_.path() + "/pg_ctl.log"));
    running_ = false;
}

void LocalPostgres::restartFast() {
    const int rc =
        runCommand(asOwner({binDir_ + "/pg_ctl", "-D", dir_.path() + "/data", "-l", dir_.path() + "/postgres.log",
                            "-m", "fast", "-w", "-t", "60", "restart"}),
                   dir_.path() + "/pg_ctl.log", std::chrono::seconds(90));
    if (rc != 0) throw std::runtime_error("pg_ctl restart failed: " + tailOf(dir_.path() + "/postgres.log"));
    running_ = true;
}

std::string LocalPostgres::url() const { return fmt::format("postgresql://postgres@127.0.0.1:{}/postgres", port_); }

void LocalPostgres::exec(const std::string& sql) const {
    PGconn* conn = PQconnectdb(url().c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("connect " + url() + ": " + message);
    }
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // e.g. "trigger ... does not exist, skipping"
    PGresult* result = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(result);
    std::string message = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error("SQL failed: " + message);
}

std::string LocalPostgres::scalar(const std::string& sql) const {
    PGconn* conn = PQconnectdb(url().c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("connect " + url() + ": " + message);
    }
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) < 1) {
        std::string message = PQerrorMessage(conn);
        PQclear(result);
        PQfinish(conn);
        throw std::runtime_error("query failed: " + message);
    }
    std::string value = PQgetvalue(result, 0, 0);
    PQclear(result);
    PQfinish(conn);
    return value;
}

// ---------------- NATS ----------------

std::optional<std::string> LocalNats::findBinary() {
    return findExecutable("SEA_NATS_SERVER_BIN", {"/usr/sbin/nats-server", "/usr/bin/nats-server"});
}

LocalNats::LocalNats(std::string binary)
    : binary_(std::move(binary)), port_(freeLoopbackPort()), monitorPort_(freeLoopbackPort()) {}

LocalNats::~LocalNats() = default;

void LocalNats::start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{binary_, "-js", "-a", "127.0.0.1", "-p", std::to_string(port_), "-m",
                                 std::to_string(monitorPort_), "-sd", dir_.path() + "/store"},
        dir_.path() + "/nats.log");
    if (!waitUntil([this] { return ready(); }, std::chrono::seconds(20))) {
        throw std::runtime_error("nats-server not ready: " + tailOf(dir_.path() + "/nats.log"));
    }
}

void LocalNats::kill() {
    if (process_) process_->kill();
}

bool LocalNats::ready() const { return httpOk(monitorPort_, "/healthz"); }

std::string LocalNats::url() const { return fmt::format("nats://127.0.0.1:{}", port_); }

// ---------------- OPA ----------------

LocalOpa::LocalOpa(std::string binary, std::string policyDir)
    : binary_(std::move(binary)), policyDir_(std::move(policyDir)), port_(freeLoopbackPort()) {}

LocalOpa::~LocalOpa() {
    if (process_) {
        process_->signal(SIGCONT);
        process_->kill();
    }
}

void LocalOpa::start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{binary_, "run", "--server", "--addr", fmt::format("127.0.0.1:{}", port_),
                                 "--log-level", "error", "--disable-telemetry", policyDir_},
        dir_.path() + "/opa.log");
    if (!waitUntil([this] { return ready(); }, std::chrono::seconds(30))) {
        throw std::runtime_error("opa not ready: " + tailOf(dir_.path() + "/opa.log"));
    }
}

void LocalOpa::kill() {
    if (process_) {
        process_->signal(SIGCONT);
        process_->kill();
    }
}

void LocalOpa::pause() {
    if (process_) process_->signal(SIGSTOP);
}

void LocalOpa::resume() {
    if (process_) process_->signal(SIGCONT);
}

bool LocalOpa::ready() const { return httpOk(port_, "/health"); }

std::string LocalOpa::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

}  // namespace sea::apps_test

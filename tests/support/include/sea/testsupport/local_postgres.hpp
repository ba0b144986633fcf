// A throw-away PostgreSQL 15 server for integration tests, run as a local process on
// 127.0.0.1:<free port>.
//
// The constructor copies an initdb'ed cluster (user/password auth, scram-sha-256 over TCP) into a
// fresh temp dir — initdb runs once per (binaries, user, password) and is kept as a template in
// /tmp/sea-pg-template-<hash> (flock-guarded, shared by test processes) —,
// starts the server (fsync=off), waits until `SELECT 1` answers (deadline, no sleeps) and creates
// the database. When running as root every postgres command runs as the `postgres` OS user
// (runuser) and the temp dir is owned by it. The destructor stops the server immediately and
// removes the directory. Failures throw std::runtime_error including the server log's tail.
// Binaries: $SEA_PG_BIN_DIR or the highest /usr/lib/postgresql/<major>/bin (check with postgres_bin_dir() and
// SEA_REQUIRE_BINARY before constructing).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sea/testsupport/temp_dir.hpp"

namespace sea::testsupport {

struct LocalPostgresOptions {
  std::string user = "sea";
  std::string password = "sea";
  std::string database = "sea";
  std::chrono::milliseconds ready_timeout{30000};
};

class LocalPostgres {
 public:
  explicit LocalPostgres(LocalPostgresOptions options = {});
  LocalPostgres(const LocalPostgres&) = delete;
  LocalPostgres& operator=(const LocalPostgres&) = delete;
  ~LocalPostgres();

  // postgresql://user:password@127.0.0.1:PORT/database (a libpq conninfo URL).
  std::string url() const;
  std::string url_for_database(const std::string& database) const;
  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_path() const { return log_path_; }

  // Runs the whole file as one simple-protocol query (several statements allowed). Throws on error.
  void apply_sql_file(const std::string& path) const;
  // Same for SQL text. Throws on error.
  void apply_sql(const std::string& sql) const;
  // First column of the first row of a query's result, as text. Throws on error, on no rows and on NULL.
  std::string scalar(const std::string& sql) const;

  void start();    // pg_ctl start on the same port and data dir, then waits for SELECT 1
  void stop();     // pg_ctl stop -m fast (sessions are terminated, a clean shutdown)
  void restart();  // stop() + start()
  void kill();     // SIGKILL the postmaster (crash); start() recovers
  bool running() const { return running_; }
  // The postmaster's pid, read from postmaster.pid (0 when not running).
  int postmaster_pid() const;

 private:
  std::vector<std::string> as_postgres(std::vector<std::string> argv) const;
  void wait_ready(const std::string& url) const;
  void apply_sql_to(const std::string& database, const std::string& sql) const;
  std::string ensure_template(const std::string& pwfile) const;

  LocalPostgresOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::string bin_dir_;
  std::string data_dir_;
  std::string log_path_;
  std::string cmd_log_path_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace sea::testsupport

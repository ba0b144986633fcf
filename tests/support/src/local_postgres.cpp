// Local PostgreSQL server for tests (see local_postgres.hpp).
#include "sea/testsupport/local_postgres.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/core.h>

#include "sea/probes/db_probe.hpp"
#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/poll.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/subprocess.hpp"

namespace sea::testsupport {
namespace {

// Alive = exists and is not a zombie (the postmaster is not our child, so we cannot reap it).
bool process_alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() && line[close_paren + 2] != 'Z';
}

std::vector<int> children_of(int parent) {
  std::vector<int> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(line.substr(close_paren + 2));
    char state = 0;
    int ppid = 0;
    if (rest >> state >> ppid && ppid == parent) children.push_back(std::stoi(name));
  }
  return children;
}

constexpr auto kCommandTimeout = std::chrono::milliseconds(60000);
const std::string kOsUser = "postgres";
}  // namespace

LocalPostgres::LocalPostgres(LocalPostgresOptions options) : options_(std::move(options)) {
  const auto bin = postgres_bin_dir();
  if (!bin) throw std::runtime_error("LocalPostgres: initdb/pg_ctl not found (set SEA_PG_BIN_DIR)");
  bin_dir_ = *bin;
  dir_ = std::make_unique<TempDir>("sea-pg-", kOsUser);
  data_dir_ = dir_->path() + "/data";
  log_path_ = dir_->path() + "/postgres.log";
  cmd_log_path_ = dir_->path() + "/commands.log";
  const auto pwfile = dir_->write_file("pwfile", options_.password + "\n");
  port_ = free_loopback_port();
  const auto template_dir = ensure_template(pwfile);
  const int rc = run_command(as_postgres({"/bin/cp", "-a", template_dir, data_dir_}), cmd_log_path_, kCommandTimeout);
  if (rc != 0) throw std::runtime_error(fmt::format("copying {} failed ({}):\n{}", template_dir, rc, file_tail(cmd_log_path_)));
  start();
  apply_sql_to("postgres", fmt::format("CREATE DATABASE \"{}\"", options_.database));
}

LocalPostgres::~LocalPostgres() {
  if (!running_) return;
  try {
    run_command(as_postgres({bin_dir_ + "/pg_ctl", "-D", data_dir_, "stop", "-m", "immediate", "-w", "-t", "30"}),
                cmd_log_path_, kCommandTimeout);
  } catch (const std::exception&) {
    if (const int pid = postmaster_pid(); pid > 0) ::kill(pid, SIGKILL);
  }
}

std::string LocalPostgres::ensure_template(const std::string& pwfile) const {
  // initdb costs 2-6 s; its result only depends on the binaries, user and password. Keep one
  // template per combination under /tmp (guarded by an flock across test processes) and copy it.
  const auto key = std::hash<std::string>{}(bin_dir_ + '\n' + options_.user + '\n' + options_.password);
  const std::string root = fmt::format("/tmp/sea-pg-template-{:x}", key);
  const std::string ready_marker = root + "/READY";
  const int lock_fd = ::open((root + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock_fd < 0) throw std::runtime_error("cannot open " + root + ".lock");
  ::flock(lock_fd, LOCK_EX);
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock_fd};
  if (!std::filesystem::exists(ready_marker)) {
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
    std::filesystem::create_directory(root);
    chown_to_user(root, kOsUser);
    const int rc = run_command(as_postgres({bin_dir_ + "/initdb", "-D", root + "/data", "-U", options_.user,
                                            "--pwfile=" + pwfile, "--auth-host=scram-sha-256", "--auth-local=trust",
                                            "-E", "UTF8", "--locale=C", "--no-sync"}),
                               cmd_log_path_, kCommandTimeout);
    if (rc != 0) throw std::runtime_error(fmt::format("initdb failed ({}):\n{}", rc, file_tail(cmd_log_path_)));
    std::ofstream(ready_marker) << "initdb done\n";
  }
  return root + "/data";
}

std::vector<std::string> LocalPostgres::as_postgres(std::vector<std::string> argv) const {
  if (::geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", kOsUser, "--"});
  return argv;
}

std::string LocalPostgres::url() const { return url_for_database(options_.database); }

std::string LocalPostgres::url_for_database(const std::string& database) const {
  return fmt::format("postgresql://{}:{}@127.0.0.1:{}/{}", options_.user, options_.password, port_, database);
}

void LocalPostgres::apply_sql_to(const std::string& database, const std::string& sql) const {
  const auto result = probes::db_query(url_for_database(database), sql, std::chrono::milliseconds(60000));
  if (!result.ok) {
    throw std::runtime_error(fmt::format("SQL failed on {} ({} {}): {}", database, probes::to_string(result.outcome),
                                         result.sqlstate, result.error));
  }
}

void LocalPostgres::apply_sql(const std::string& sql) const { apply_sql_to(options_.database, sql); }

std::string LocalPostgres::scalar(const std::string& sql) const {
  const auto result = probes::db_query(url(), sql, std::chrono::milliseconds(60000));
  if (!result.ok) {
    throw std::runtime_error(fmt::format("query failed ({} {}): {}: {}", probes::to_string(result.outcome),
                                         result.sqlstate, result.error, sql));
  }
  if (result.rows.empty() || result.rows.front().empty() || !result.rows.front().front()) {
    throw std::runtime_error("query returned no value: " + sql);
  }
  return *result.rows.front().front();
}

void LocalPostgres::apply_sql_file(const std::string& path) const {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("apply_sql_file: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    apply_sql(text.str());
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

void LocalPostgres::start() {
  if (running_) return;
  const std::string server_options =
      fmt::format("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", port_, dir_->path());
  const int rc = run_command(as_postgres({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-l", log_path_, "-w", "-t", "60",
                                          "-o", server_options, "start"}),
                             cmd_log_path_, kCommandTimeout);
  if (rc != 0) {
    throw std::runtime_error(fmt::format("pg_ctl start failed ({}):\n{}\n{}", rc, file_tail(cmd_log_path_, 800),
                                         file_tail(log_path_)));
  }
  running_ = true;
  wait_ready(url_for_database("postgres"));
}

void LocalPostgres::wait_ready(const std::string& url) const {
  std::string last_error;
  const bool ready = poll_until(options_.ready_timeout, [&] {
    const auto r = probes::db_query(url, "SELECT 1", std::chrono::milliseconds(1000));
    last_error = r.error;
    return r.ok;
  }, std::chrono::milliseconds(25));
  if (!ready) {
    throw std::runtime_error(fmt::format("postgres on port {} not ready within {} ms: {}\n{}", port_,
                                         options_.ready_timeout.count(), last_error, file_tail(log_path_)));
  }
}

void LocalPostgres::stop() {
  if (!running_) return;
  const int rc = run_command(as_postgres({bin_dir_ + "/pg_ctl", "-D", data_dir_, "stop", "-m", "fast", "-w", "-t", "60"}),
                             cmd_log_path_, kCommandTimeout);
  if (rc != 0) throw std::runtime_error(fmt::format("pg_ctl stop failed ({}):\n{}", rc, file_tail(cmd_log_path_)));
  running_ = false;
}

void LocalPostgres::restart() {
  stop();
  start();
}

void LocalPostgres::kill() {
  // Like a container's kill -9: the postmaster and every backend die at once, so a later
  // start() does not find old backends still attached to the shared memory.
  const int pid = postmaster_pid();
  if (pid > 0) {
    const auto backends = children_of(pid);
    ::kill(pid, SIGKILL);
    for (const int child : backends) ::kill(child, SIGKILL);
    auto all_gone = [&] {
      if (process_alive(pid)) return false;
      for (const int child : backends) {
        if (process_alive(child)) return false;
      }
      return true;
    };
    if (!poll_until(std::chrono::milliseconds(10000), all_gone, std::chrono::milliseconds(5))) {
      throw std::runtime_error(fmt::format("postgres pid {} still alive 10 s after SIGKILL", pid));
    }
    // A dead but not yet reaped postmaster (zombie, we are not its parent) still passes postgres'
    // kill(pid, 0) liveness check of its lock files and would block start(): they are stale.
    std::error_code ignored;
    std::filesystem::remove(data_dir_ + "/postmaster.pid", ignored);
    std::filesystem::remove(fmt::format("{}/.s.PGSQL.{}.lock", dir_->path(), port_), ignored);
  }
  running_ = false;
}

int LocalPostgres::postmaster_pid() const {
  std::ifstream in(data_dir_ + "/postmaster.pid");
  int pid = 0;
  if (!(in >> pid)) return 0;
  return pid;
}

}  // namespace sea::testsupport

// libpq implementation of the PostgreSQL probes (see sea/probes/db_probe.hpp for the contract).
#include "sea/probes/db_probe.hpp"
#include "elapsed.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <array>
#include <cerrno>
#include <random>

#include <fmt/core.h>

namespace sea::probes {
namespace {

using detail::Clock;
using detail::since;
using detail::remaining_ms;

std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Waits until the socket is ready for `events` or the deadline passes. False on timeout.
bool wait_socket(PGconn* conn, short events, Clock::time_point deadline) {
  pollfd pfd{PQsocket(conn), events, 0};
  for (;;) {
    const int left = remaining_ms(deadline);
    if (left == 0) return false;
    const int rc = ::poll(&pfd, 1, left);
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;  // let libpq report the socket error
  }
}

// The outcome of running one statement, with what the insert classification needs.
struct Exec {
  QueryResult result;
  bool sent = false;         // the statement reached the socket
  std::string cmd_tuples;    // PQcmdTuples of the last result
};

}  // namespace

std::string to_string(DbOutcome outcome) {
  switch (outcome) {
    case DbOutcome::ok: return "ok";
    case DbOutcome::bad_conninfo: return "bad_conninfo";
    case DbOutcome::connect_failed: return "connect_failed";
    case DbOutcome::timed_out: return "timed_out";
    case DbOutcome::query_failed: return "query_failed";
    case DbOutcome::connection_lost: return "connection_lost";
  }
  return "unknown";
}

std::string to_string(InsertOutcome outcome) {
  switch (outcome) {
    case InsertOutcome::committed: return "committed";
    case InsertOutcome::duplicate: return "duplicate";
    case InsertOutcome::failed: return "failed";
    case InsertOutcome::unknown: return "unknown";
  }
  return "unknown";
}

std::string new_uuid() {
  thread_local std::mt19937_64 engine{std::random_device{}() ^ (static_cast<uint64_t>(std::random_device{}()) << 32)};
  std::array<unsigned char, 16> bytes{};
  for (size_t i = 0; i < bytes.size(); i += 8) {
    const uint64_t word = engine();
    for (size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<unsigned char>(word >> (8 * j));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += fmt::format("{:02x}", bytes[i]);
  }
  return out;
}

struct DbConnection::Impl {
  std::string conninfo;
  PGconn* conn = nullptr;

  ~Impl() { close(); }
  void close() {
    if (conn != nullptr) PQfinish(conn);
    conn = nullptr;
  }

  // Opens the connection unless it is already usable. On failure fills `out` and returns false.
  bool ensure_connected(Clock::time_point deadline, std::chrono::milliseconds statement_timeout, QueryResult& out) {
    // An idle connection has nothing to read unless the server spoke on its own: a FATAL
    // "terminating connection" or EOF (shutdown, kill). Such a connection is replaced before a
    // statement is sent on it, so the statement's outcome is not muddled by an old failure.
    // (Consequence: asynchronous NOTIFYs on a LISTENing DbConnection also trigger a reconnect.)
    if (conn != nullptr && PQstatus(conn) == CONNECTION_OK) {
      pollfd pfd{PQsocket(conn), POLLIN, 0};
      if (::poll(&pfd, 1, 0) == 0) return true;
    }
    close();
    char* parse_error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
    if (parsed == nullptr) {
      out.outcome = DbOutcome::bad_conninfo;
      out.error = fmt::format("bad conninfo: {}", trimmed(parse_error != nullptr ? parse_error : "unparsable"));
      PQfreemem(parse_error);
      return false;
    }
    PQconninfoFree(parsed);
    const std::string options = fmt::format("-c statement_timeout={}", statement_timeout.count());
    const char* keys[] = {"options", "dbname", nullptr};
    const char* values[] = {options.c_str(), conninfo.c_str(), nullptr};
    conn = PQconnectStartParams(keys, values, /*expand_dbname=*/1);
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    while (conn != nullptr && PQstatus(conn) != CONNECTION_BAD && state != PGRES_POLLING_OK &&
           state != PGRES_POLLING_FAILED) {
      if (!wait_socket(conn, state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline)) {
        out.outcome = DbOutcome::timed_out;
        out.error = "timed out connecting";
        close();
        return false;
      }
      state = PQconnectPoll(conn);
    }
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
      out.outcome = DbOutcome::connect_failed;
      out.error = conn != nullptr ? trimmed(PQerrorMessage(conn)) : "out of memory";
      if (out.error.find("starting up") != std::string::npos) out.sqlstate = "57P03";
      if (out.error.find("shutting down") != std::string::npos) out.sqlstate = "57P03";
      close();
      return false;
    }
    PQsetnonblocking(conn, 1);
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // probes stay quiet on NOTICEs
    return true;
  }

  Exec run(const std::string& sql, const std::vector<std::string>& params, std::chrono::milliseconds timeout) {
    const auto start = Clock::now();
    const auto deadline = start + timeout;
    Exec exec;
    QueryResult& r = exec.result;
    auto finish = [&]() -> Exec {
      r.ok = r.outcome == DbOutcome::ok;
      r.latency = since(start);
      return std::move(exec);
    };
    if (timeout.count() <= 0) {
      r.outcome = DbOutcome::query_failed;
      r.error = fmt::format("timeout must be positive, got {} ms", timeout.count());
      return finish();
    }
    if (!ensure_connected(deadline, timeout, r)) return finish();
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    const int queued = params.empty()
        ? PQsendQuery(conn, sql.c_str())
        : PQsendQueryParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                            nullptr, 0);
    if (queued == 0) {
      r.outcome = DbOutcome::connection_lost;
      r.error = trimmed(PQerrorMessage(conn));
      close();
      return finish();
    }
    exec.sent = true;
    auto lose = [&](DbOutcome outcome, std::string error) {
      r.outcome = outcome;
      r.error = std::move(error);
      r.rows.clear();
      close();
    };
    int flush_state = 0;
    while ((flush_state = PQflush(conn)) == 1) {
      if (!wait_socket(conn, POLLIN | POLLOUT, deadline)) return lose(DbOutcome::timed_out, "timed out sending"), finish();
      if (PQconsumeInput(conn) == 0) return lose(DbOutcome::connection_lost, trimmed(PQerrorMessage(conn))), finish();
    }
    if (flush_state < 0) return lose(DbOutcome::connection_lost, trimmed(PQerrorMessage(conn))), finish();
    r.outcome = DbOutcome::ok;
    for (;;) {
      while (PQisBusy(conn) != 0) {
        if (!wait_socket(conn, POLLIN, deadline)) return lose(DbOutcome::timed_out, "timed out waiting for the result"), finish();
        if (PQconsumeInput(conn) == 0) return lose(DbOutcome::connection_lost, trimmed(PQerrorMessage(conn))), finish();
      }
      PGresult* res = PQgetResult(conn);
      if (res == nullptr) break;
      const auto status = PQresultStatus(res);
      if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        r.rows.clear();
        for (int row = 0; row < PQntuples(res); ++row) {
          DbRow values_row;
          for (int col = 0; col < PQnfields(res); ++col) {
            if (PQgetisnull(res, row, col) != 0) values_row.emplace_back(std::nullopt);
            else values_row.emplace_back(std::string(PQgetvalue(res, row, col), static_cast<size_t>(PQgetlength(res, row, col))));
          }
          r.rows.push_back(std::move(values_row));
        }
        exec.cmd_tuples = PQcmdTuples(res);
      } else if (r.outcome == DbOutcome::ok) {
        const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        r.sqlstate = state != nullptr ? state : "";
        r.error = trimmed(PQresultErrorMessage(res));
        r.outcome = r.sqlstate == "57014" ? DbOutcome::timed_out : DbOutcome::query_failed;
        if (r.sqlstate.empty() && PQstatus(conn) == CONNECTION_BAD) r.outcome = DbOutcome::connection_lost;
      }
      PQclear(res);
      if (PQstatus(conn) == CONNECTION_BAD) break;
    }
    if (PQstatus(conn) == CONNECTION_BAD) {
      if (r.outcome == DbOutcome::ok) {
        r.outcome = DbOutcome::connection_lost;
        r.error = trimmed(PQerrorMessage(conn));
      }
      close();
    }
    if (r.outcome != DbOutcome::ok) r.rows.clear();
    return finish();
  }
};

DbConnection::DbConnection(std::string conninfo) : impl_(std::make_unique<Impl>()) {
  impl_->conninfo = std::move(conninfo);
}
DbConnection::DbConnection(DbConnection&&) noexcept = default;
DbConnection& DbConnection::operator=(DbConnection&&) noexcept = default;
DbConnection::~DbConnection() = default;

bool DbConnection::connected() const { return impl_->conn != nullptr && PQstatus(impl_->conn) == CONNECTION_OK; }
void DbConnection::disconnect() { impl_->close(); }

QueryResult DbConnection::query(const std::string& sql, std::chrono::milliseconds timeout,
                                const std::vector<std::string>& params) {
  return impl_->run(sql, params, timeout).result;
}

InsertResult DbConnection::insert_outbox_row(const OutboxRow& row, std::chrono::milliseconds timeout) {
  auto exec = impl_->run(
      "INSERT INTO outbox_events (id, aggregate, subject, payload) VALUES ($1::uuid, $2, $3, $4::jsonb) "
      "ON CONFLICT (id) DO NOTHING",
      {row.id, row.aggregate, row.subject, row.payload_json}, timeout);
  InsertResult out;
  out.sqlstate = exec.result.sqlstate;
  out.error = exec.result.error;
  out.latency = exec.result.latency;
  const auto& state = exec.result.sqlstate;
  // Class 08 (connection exception), 57P0x (shutdown/crash) and XX (internal) can hit after commit.
  const bool ambiguous_error = state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state.rfind("XX", 0) == 0;
  switch (exec.result.outcome) {
    case DbOutcome::ok:
      out.outcome = exec.cmd_tuples == "1" ? InsertOutcome::committed : InsertOutcome::duplicate;
      break;
    case DbOutcome::timed_out:
    case DbOutcome::connection_lost:
      out.outcome = exec.sent && state != "57014" ? InsertOutcome::unknown : InsertOutcome::failed;
      break;
    case DbOutcome::query_failed:
      out.outcome = ambiguous_error ? InsertOutcome::unknown : InsertOutcome::failed;
      break;
    default:
      out.outcome = InsertOutcome::failed;
  }
  return out;
}

OutboxCounts DbConnection::count_outbox(std::chrono::milliseconds timeout) {
  const auto r = query("SELECT count(*), count(published_at) FROM outbox_events", timeout);
  OutboxCounts counts;
  counts.latency = r.latency;
  if (!r.ok || r.rows.size() != 1 || r.rows[0].size() != 2 || !r.rows[0][0] || !r.rows[0][1]) {
    counts.error = r.ok ? "unexpected result shape" : r.error;
    return counts;
  }
  counts.total = std::stoll(*r.rows[0][0]);
  counts.published = std::stoll(*r.rows[0][1]);
  counts.unpublished = counts.total - counts.published;
  counts.ok = true;
  return counts;
}

namespace {
IdListResult ids_where(DbConnection& db, const char* condition, std::chrono::milliseconds timeout, std::size_t limit) {
  const auto r = db.query(fmt::format("SELECT id::text FROM outbox_events WHERE {} ORDER BY created_at, id LIMIT $1",
                                      condition),
                          timeout, {std::to_string(limit)});
  IdListResult out;
  out.ok = r.ok;
  out.error = r.error;
  out.latency = r.latency;
  for (const auto& row : r.rows) {
    if (!row.empty() && row[0]) out.ids.push_back(*row[0]);
  }
  return out;
}
}  // namespace

IdListResult DbConnection::unpublished_ids(std::chrono::milliseconds timeout, std::size_t limit) {
  return ids_where(*this, "published_at IS NULL", timeout, limit);
}
IdListResult DbConnection::published_ids(std::chrono::milliseconds timeout, std::size_t limit) {
  return ids_where(*this, "published_at IS NOT NULL", timeout, limit);
}

QueryResult db_query(const std::string& conninfo, const std::string& sql, std::chrono::milliseconds timeout) {
  return DbConnection(conninfo).query(sql, timeout);
}
InsertResult insert_outbox_row(const std::string& conninfo, const OutboxRow& row, std::chrono::milliseconds timeout) {
  return DbConnection(conninfo).insert_outbox_row(row, timeout);
}
OutboxCounts count_outbox(const std::string& conninfo, std::chrono::milliseconds timeout) {
  return DbConnection(conninfo).count_outbox(timeout);
}
IdListResult unpublished_ids(const std::string& conninfo, std::chrono::milliseconds timeout, std::size_t limit) {
  return DbConnection(conninfo).unpublished_ids(timeout, limit);
}
IdListResult published_ids(const std::string& conninfo, std::chrono::milliseconds timeout, std::size_t limit) {
  return DbConnection(conninfo).published_ids(timeout, limit);
}

}  // namespace sea::probes

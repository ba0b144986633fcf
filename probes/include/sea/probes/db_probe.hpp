// PostgreSQL probes over libpq. Same contract as every sea::probes call: observe and return
// (never throw, not even on a malformed conninfo), explicit timeouts, thread-safe (a DbConnection
// itself must be used by one thread at a time; the free functions open their own connection).
//
// Timeouts: the deadline covers connect (non-blocking PQconnectStartParams + poll) and the query
// (client-side deadline on the socket). The server-side statement_timeout is also set to the
// timeout, so a timed-out statement does not keep running on the server for long. After a
// client-side timeout the connection is closed (a DbConnection reconnects on its next call).
// An `options` parameter inside the conninfo overrides the statement_timeout set here.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sea::probes {

enum class DbOutcome {
  ok,              // the statement completed successfully
  bad_conninfo,    // the conninfo string/URL could not be parsed
  connect_failed,  // refused, authentication failed, server starting up (57P03), ...
  timed_out,       // the deadline expired (during connect or the query)
  query_failed,    // the server answered with an error (see sqlstate)
  connection_lost, // the connection broke after the statement was sent
};

std::string to_string(DbOutcome outcome);

using DbRow = std::vector<std::optional<std::string>>;  // std::nullopt = SQL NULL

struct QueryResult {
  bool ok = false;
  DbOutcome outcome = DbOutcome::connect_failed;
  std::string sqlstate;   // e.g. "57014" (query_canceled), "57P03" (cannot_connect_now); "" if none
  std::string error;
  std::vector<DbRow> rows;
  std::chrono::microseconds latency{0};
};

struct OutboxRow {
  std::string id;                // UUID chosen by the client (see new_uuid())
  std::string aggregate = "probe";
  std::string subject = "sea.event.probe";
  std::string payload_json = "{}";
};

enum class InsertOutcome {
  committed,   // the row was inserted and committed
  duplicate,   // ON CONFLICT (id) DO NOTHING: a row with this id already existed
  failed,      // definitely not committed (connect failed, server error before commit)
  unknown,     // the connection dropped/timed out after the INSERT was sent: it may have committed
};

std::string to_string(InsertOutcome outcome);

struct InsertResult {
  InsertOutcome outcome = InsertOutcome::failed;
  bool committed() const { return outcome == InsertOutcome::committed; }
  std::string sqlstate;
  std::string error;
  std::chrono::microseconds latency{0};
};

struct OutboxCounts {
  bool ok = false;
  int64_t total = 0;
  int64_t published = 0;
  int64_t unpublished = 0;
  std::string error;
  std::chrono::microseconds latency{0};
};

struct IdListResult {
  bool ok = false;
  std::vector<std::string> ids;  // ordered by created_at, id
  std::string error;
  std::chrono::microseconds latency{0};
};

// A random (version 4) UUID in canonical lower-case 8-4-4-4-12 form. Thread-safe.
std::string new_uuid();

// A reusable connection for probe loops (saves the 2–5 ms of a fresh connect per call).
// Connects lazily; after a failure that leaves the connection unusable it reconnects on the next
// call. Not thread-safe: one DbConnection per thread.
class DbConnection {
 public:
  explicit DbConnection(std::string conninfo);
  DbConnection(DbConnection&&) noexcept;
  DbConnection& operator=(DbConnection&&) noexcept;
  DbConnection(const DbConnection&) = delete;
  DbConnection& operator=(const DbConnection&) = delete;
  ~DbConnection();

  bool connected() const;
  void disconnect();

  // Runs sql (several ;-separated statements allowed when params is empty; rows of the last
  // result are returned). Parameters are passed as text ($1, $2, ...).
  QueryResult query(const std::string& sql, std::chrono::milliseconds timeout,
                    const std::vector<std::string>& params = {});

  InsertResult insert_outbox_row(const OutboxRow& row, std::chrono::milliseconds timeout);
  OutboxCounts count_outbox(std::chrono::milliseconds timeout);
  IdListResult unpublished_ids(std::chrono::milliseconds timeout, std::size_t limit = 100000);
  IdListResult published_ids(std::chrono::milliseconds timeout, std::size_t limit = 100000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot variants: connect, run, disconnect.
QueryResult db_query(const std::string& conninfo, const std::string& sql, std::chrono::milliseconds timeout);
InsertResult insert_outbox_row(const std::string& conninfo, const OutboxRow& row, std::chrono::milliseconds timeout);
OutboxCounts count_outbox(const std::string& conninfo, std::chrono::milliseconds timeout);
IdListResult unpublished_ids(const std::string& conninfo, std::chrono::milliseconds timeout, std::size_t limit = 100000);
IdListResult published_ids(const std::string& conninfo, std::chrono::milliseconds timeout, std::size_t limit = 100000);

}  // namespace sea::probes

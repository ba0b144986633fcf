#include "pg_outbox_store.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <fmt/core.h>

namespace sea::worker {

#ifdef SEA_MUTANT_HIGH_WATER_MARK
// MUTANT: "do not re-walk what is already published": claims only rows after the newest (created_at, id) this
// process has marked, so a row committed late with an older created_at is never claimed.
const char* const kClaimSql =
    "SELECT id::text, subject, payload::text, created_at::text FROM outbox_events "
    "WHERE published_at IS NULL AND (created_at, id) > ($2::timestamptz, $3::uuid) "
    "ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED";
#else
const char* const kClaimSql =
    "SELECT id::text, subject, payload::text FROM outbox_events "
    "WHERE published_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED";
#endif
// clock_timestamp(), not now(): now() is the transaction start (the claim, before any publish of the batch),
// so published_at would precede the broker's store time; clock_timestamp() is the UPDATE's own moment, after
// the acks of every row it marks.
const char* const kMarkPublishedSql =
    "UPDATE outbox_events SET published_at = clock_timestamp() WHERE id = ANY($1::uuid[]) AND published_at IS NULL";
const char* const kRecordFailureSql =
    "UPDATE outbox_events SET attempts = attempts + 1, last_error = $2 WHERE id = $1::uuid";

std::string toUuidArrayLiteral(const std::vector<std::string>& ids) {
    std::string out = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        for (char c : ids[i]) {
            const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
            if (!hex) throw std::invalid_argument(fmt::format("not a uuid: \"{}\"", ids[i]));
        }
        if (i > 0) out += ',';
        out += ids[i];
    }
    out += '}';
    return out;
}

PgOutboxStore::PgOutboxStore(std::string databaseUrl) : databaseUrl_(std::move(databaseUrl)) {}

PgOutboxStore::~PgOutboxStore() { disconnect(); }

bool PgOutboxStore::connected() const { return connected_.load(); }

void PgOutboxStore::disconnect() {
    connected_.store(false);
    if (conn_ != nullptr) {
        PQfinish(conn_);
        conn_ = nullptr;
    }
}

void PgOutboxStore::fail(const std::string& message) {
    const bool lost = conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK;
    if (lost) {
        disconnect();
    } else {
        PGresult* result = PQexec(conn_, "ROLLBACK");
        const bool rolledBack = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
        PQclear(result);
        if (!rolledBack) {
            disconnect();
            throw StoreError(message + " (rollback failed, connection dropped)", true);
        }
    }
    throw StoreError(message, lost);
}

PGresult* PgOutboxStore::check(PGresult* result, const char* what, int expectedStatus) {
    if (result != nullptr && PQresultStatus(result) == expectedStatus) return result;
    std::string message = fmt::format("{} failed: {}", what, conn_ != nullptr ? PQerrorMessage(conn_) : "no connection");
    if (result != nullptr) {
        const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
        if (state != nullptr) message += fmt::format(" (SQLSTATE {})", state);
        PQclear(result);
    }
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    for (auto& c : message) {
        if (c == '\n') c = ' ';
    }
    fail(message);
}

void PgOutboxStore::connect() {
    disconnect();
    const char* keys[] = {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                          "keepalives_count", "application_name", "dbname", nullptr};
    const char* values[] = {"5", "1", "10", "5", "3", "sea-mq-worker", databaseUrl_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
        std::string message = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
        while (!message.empty() && message.back() == '\n') message.pop_back();
        for (auto& c : message) {
            if (c == '\n') c = ' ';
        }
        disconnect();
        throw StoreError(message, true);
    }
#ifdef SEA_MUTANT_NO_RELISTEN
    // MUTANT: subscribes once per process; a reconnected session never LISTENs again.
    if (!listened_) {
        PQclear(check(PQexec(conn_, "LISTEN outbox_events"), "LISTEN", PGRES_COMMAND_OK));
        listened_ = true;
    }
#else
    PQclear(check(PQexec(conn_, "LISTEN outbox_events"), "LISTEN", PGRES_COMMAND_OK));
#endif
    connected_.store(true);
}

std::vector<OutboxRow> PgOutboxStore::claimBatch(int limit) {
    if (conn_ == nullptr) throw StoreError("not connected", true);
    PQclear(check(PQexec(conn_, "BEGIN"), "BEGIN", PGRES_COMMAND_OK));
    const std::string limitText = std::to_string(limit);
#ifdef SEA_MUTANT_HIGH_WATER_MARK
    claimed_.clear();
    pendingCursor_.reset();
    const char* params[] = {limitText.c_str(), cursor_.first.c_str(), cursor_.second.c_str()};
    PGresult* result =
        check(PQexecParams(conn_, kClaimSql, 3, nullptr, params, nullptr, nullptr, 0), "claim", PGRES_TUPLES_OK);
#else
    const char* params[] = {limitText.c_str()};
    PGresult* result =
        check(PQexecParams(conn_, kClaimSql, 1, nullptr, params, nullptr, nullptr, 0), "claim", PGRES_TUPLES_OK);
#endif
    std::vector<OutboxRow> rows;
    const int count = PQntuples(result);
    rows.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        rows.push_back({PQgetvalue(result, i, 0), PQgetvalue(result, i, 1), PQgetvalue(result, i, 2)});
#ifdef SEA_MUTANT_HIGH_WATER_MARK
        claimed_.emplace_back(PQgetvalue(result, i, 3), PQgetvalue(result, i, 0));
#endif
    }
    PQclear(result);
    return rows;
}

void PgOutboxStore::markPublished(const std::vector<std::string>& ids) {
    if (conn_ == nullptr) throw StoreError("not connected", true);
    const std::string array = toUuidArrayLiteral(ids);
    const char* params[] = {array.c_str()};
    PQclear(check(PQexecParams(conn_, kMarkPublishedSql, 1, nullptr, params, nullptr, nullptr, 0), "mark published",
                  PGRES_COMMAND_OK));
#ifdef SEA_MUTANT_HIGH_WATER_MARK
    // MUTANT: the newest marked row of the batch (claim order = (created_at, id) order) becomes the cursor at COMMIT.
    for (const auto& row : claimed_) {
        for (const auto& id : ids) {
            if (id == row.second) pendingCursor_ = row;
        }
    }
#endif
}

void PgOutboxStore::recordFailure(const std::string& id, const std::string& error) {
    if (conn_ == nullptr) throw StoreError("not connected", true);
    const char* params[] = {id.c_str(), error.c_str()};
    PQclear(check(PQexecParams(conn_, kRecordFailureSql, 2, nullptr, params, nullptr, nullptr, 0), "record failure",
                  PGRES_COMMAND_OK));
}

void PgOutboxStore::commit() {
    if (conn_ == nullptr) throw StoreError("not connected", true);
    PGresult* result = check(PQexec(conn_, "COMMIT"), "COMMIT", PGRES_COMMAND_OK);
    const std::string status = PQcmdStatus(result);
    PQclear(result);
    // COMMIT of an aborted transaction "succeeds" with status ROLLBACK: nothing was marked.
    if (status != "COMMIT") throw StoreError("COMMIT rolled back the transaction", false);
#ifdef SEA_MUTANT_HIGH_WATER_MARK
    if (pendingCursor_) cursor_ = *pendingCursor_;
    pendingCursor_.reset();
#endif
}

void PgOutboxStore::rollback() {
    if (conn_ == nullptr) return;
    PQclear(check(PQexec(conn_, "ROLLBACK"), "ROLLBACK", PGRES_COMMAND_OK));
}

bool PgOutboxStore::waitForWork(std::chrono::milliseconds timeout) {
    if (conn_ == nullptr) return false;
    const auto drain = [this] {
        bool any = false;
        while (PGnotify* notify = PQnotifies(conn_)) {
            any = true;
            PQfreemem(notify);
        }
        return any;
    };
    if (drain()) return true;
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (fd.fd < 0) {
        disconnect();
        return false;
    }
    if (::poll(&fd, 1, static_cast<int>(timeout.count())) > 0) {
        if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
            disconnect();
            return false;
        }
        return drain();
    }
    return false;
}

}  // namespace sea::worker

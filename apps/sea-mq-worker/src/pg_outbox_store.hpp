#pragma once
// PostgreSQL implementation of OutboxStore (libpq, one connection, used from the relay thread only).
// connect() opens the connection with connect_timeout=5 and TCP keepalives (the DATABASE_URL's own
// parameters win) and runs LISTEN outbox_events, so every reconnect re-subscribes.
// A failed statement with the connection still OK is rolled back and reported as a statement error;
// a connection in CONNECTION_BAD state is closed and reported as lost (the relay reconnects).
#include "outbox_store.hpp"

#include <atomic>
#include <optional>
#include <string>
#include <utility>

struct pg_conn;
struct pg_result;

namespace sea::worker {

class PgOutboxStore final : public OutboxStore {
public:
    explicit PgOutboxStore(std::string databaseUrl);
    ~PgOutboxStore() override;
    PgOutboxStore(const PgOutboxStore&) = delete;
    PgOutboxStore& operator=(const PgOutboxStore&) = delete;

    bool connected() const override;
    void connect() override;
    std::vector<OutboxRow> claimBatch(int limit) override;
    void markPublished(const std::vector<std::string>& ids) override;
    void recordFailure(const std::string& id, const std::string& error) override;
    void commit() override;
    void rollback() override;
    bool waitForWork(std::chrono::milliseconds timeout) override;

private:
#ifdef SEA_MUTANT_NO_RELISTEN
    bool listened_ = false;  // MUTANT: LISTEN is issued on the first connection only
#endif
#ifdef SEA_MUTANT_HIGH_WATER_MARK
    // MUTANT: (created_at text, id) of the newest row marked by this process; claims start after it.
    std::pair<std::string, std::string> cursor_{"-infinity", "00000000-0000-0000-0000-000000000000"};
    std::vector<std::pair<std::string, std::string>> claimed_;  // (created_at, id) of the open batch, claim order
    std::optional<std::pair<std::string, std::string>> pendingCursor_;  // becomes cursor_ at COMMIT
#endif
    // Throws StoreError for a failed result (takes ownership of `result`), else returns it.
    ::pg_result* check(::pg_result* result, const char* what, int expectedStatus);
    [[noreturn]] void fail(const std::string& message);
    void disconnect();

    std::string databaseUrl_;
    pg_conn* conn_ = nullptr;
    std::atomic<bool> connected_{false};
};

// The claim query (exposed for tests and documentation).
extern const char* const kClaimSql;
extern const char* const kMarkPublishedSql;
extern const char* const kRecordFailureSql;

// Renders ids as a PostgreSQL array literal {a,b,c} (ids are uuids: no quoting needed, validated).
std::string toUuidArrayLiteral(const std::vector<std::string>& ids);

}  // namespace sea::worker

// OutboxProducer: the load side of postgres_restart_outbox. Inserts outbox rows with client-chosen ids and
// tracks exactly which ones committed, across a database restart.
//
// Contracts:
//  * insert_backlog(n) inserts n rows in ONE statement and remembers their ids (all or nothing).
//  * start() runs a bounded ProbeLoop: each iteration first retries the oldest pending id (an insert whose
//    outcome was failed or unknown), else inserts a new id. An id counts as committed when an insert with it
//    committed, or a retry found it already there (ON CONFLICT DO NOTHING → duplicate), so an insert that
//    committed while its connection died is neither lost nor counted twice.
//  * stop_and_resolve(budget) stops the loop and retries every pending id until each is committed or the
//    budget is spent; ids never resolved are dropped from "pending" only if the retry proved they are absent.
//  * Every insert attempt is recorded in the History given to the constructor (an Insert per attempt: ok =
//    committed or found already there, fail = definitely not committed, unknown = may have committed), so the
//    attempted ids are history.ops() and the acknowledged ones committed_ids() (unknowns resolved by retry).
//    The backlog statement is one op whose value lists its ids.
//  * open_late(n) opens n transactions, each inserting one row and staying open (created_at = its start); the
//    rows are invisible to the worker until commit_late() commits them (after the fault): rows older than rows
//    already relayed appear late. Each is recorded as an Insert when its COMMIT returns.
#pragma once

#include "sea/fixtures/history.hpp"
#include "sea/fixtures/probe_loop.hpp"
#include "sea/probes/db_probe.hpp"

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sea::chaos {

// One insert attempt: the ids it tried to write (one, or the whole backlog) and how it ended.
struct Insert {
    std::vector<std::string> ids;
    probes::InsertOutcome result = probes::InsertOutcome::unknown;
    std::string error;
    [[nodiscard]] fixtures::Outcome outcome() const;
    [[nodiscard]] std::string describe() const;
};

class OutboxProducer {
public:
    OutboxProducer(std::string conninfo, std::string subject, fixtures::History<Insert>& history);
    ~OutboxProducer();

    bool insert_backlog(int rows, std::chrono::milliseconds timeout);
    void start(fixtures::ProbeLoopLimits limits);
    void stop_and_resolve(std::chrono::milliseconds budget);
    // One row inserted now, recorded like the loop's; its id when it committed.
    std::optional<std::string> insert_one(std::chrono::milliseconds timeout);
    bool open_late(int transactions, std::chrono::milliseconds timeout);
    bool commit_late(std::chrono::milliseconds timeout);

    [[nodiscard]] std::size_t committed_count() const;
    [[nodiscard]] std::set<std::string> committed_ids() const;
    [[nodiscard]] std::size_t pending_count() const;
    [[nodiscard]] std::string last_error() const;

private:
    void step(probes::DbConnection& db);
    void attempt(probes::DbConnection& db, const std::string& id);

    std::string conninfo_;
    std::string subject_;
    fixtures::History<Insert>& history_;
    mutable std::mutex mutex_;
    std::set<std::string> committed_;
    std::deque<std::string> pending_;
    std::string last_error_;
    std::unique_ptr<probes::DbConnection> loop_db_;
    std::unique_ptr<fixtures::ProbeLoop> loop_;
    struct Late {
        std::string id;
        fixtures::Clock::time_point sent;
        std::unique_ptr<probes::DbConnection> db;
    };
    std::vector<Late> late_;
};

}  // namespace sea::chaos

#include "outbox_producer.hpp"

#include "sea/fixtures/eventually.hpp"

#include <fmt/format.h>

namespace sea::chaos {

using namespace std::chrono_literals;

fixtures::Outcome Insert::outcome() const {
    switch (result) {
        case probes::InsertOutcome::committed:
        case probes::InsertOutcome::duplicate: return fixtures::Outcome::ok;
        case probes::InsertOutcome::failed: return fixtures::Outcome::fail;
        case probes::InsertOutcome::unknown: break;
    }
    return fixtures::Outcome::unknown;
}

std::string Insert::describe() const {
    const auto what = ids.size() == 1 ? ids.front() : fmt::format("{} rows", ids.size());
    return fmt::format("insert {}: {}{}", what, probes::to_string(result), error.empty() ? "" : " (" + error.substr(0, 120) + ")");
}

OutboxProducer::OutboxProducer(std::string conninfo, std::string subject, fixtures::History<Insert>& history)
    : conninfo_(std::move(conninfo)), subject_(std::move(subject)), history_(history) {}

OutboxProducer::~OutboxProducer() {
    if (loop_) loop_->stop();
}

bool OutboxProducer::insert_backlog(int rows, std::chrono::milliseconds timeout) {
    probes::DbConnection db(conninfo_);
    const auto sent = fixtures::Clock::now();
    const auto result = db.query(
        "INSERT INTO outbox_events (id, aggregate, subject, payload) "
        "SELECT gen_random_uuid(), 'chaos-backlog', $1, jsonb_build_object('n', n) FROM generate_series(1, $2::int) AS n "
        "RETURNING id::text",
        timeout, {subject_, std::to_string(rows)});
    Insert backlog{{}, result.ok ? probes::InsertOutcome::committed : probes::InsertOutcome::unknown, result.ok ? "" : result.error};
    for (const auto& row : result.rows) backlog.ids.push_back(*row.at(0));
    history_.add(sent, backlog);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!result.ok || static_cast<int>(result.rows.size()) != rows) {
        last_error_ = result.ok ? fmt::format("{} of {} rows returned", result.rows.size(), rows) : result.error;
        return false;
    }
    for (const auto& row : result.rows) committed_.insert(*row.at(0));
    return true;
}

std::optional<std::string> OutboxProducer::insert_one(std::chrono::milliseconds timeout) {
    probes::DbConnection db(conninfo_);
    const auto id = probes::new_uuid();
    probes::OutboxRow row{id, "chaos-producer", subject_, R"({"source":"marker"})"};
    const auto sent = fixtures::Clock::now();
    const auto result = db.insert_outbox_row(row, timeout);
    const bool done = result.outcome == probes::InsertOutcome::committed;
    history_.add(sent, Insert{{id}, result.outcome, done ? "" : result.error});
    std::lock_guard<std::mutex> lock(mutex_);
    if (!done) {
        last_error_ = result.error;
        if (result.outcome != probes::InsertOutcome::failed) pending_.push_back(id);  // unknown: resolved like the loop's
        return std::nullopt;
    }
    committed_.insert(id);
    return id;
}

bool OutboxProducer::open_late(int transactions, std::chrono::milliseconds timeout) {
    for (int i = 0; i < transactions; ++i) {
        Late late{probes::new_uuid(), fixtures::Clock::now(), std::make_unique<probes::DbConnection>(conninfo_)};
        const auto r = late.db->query(
            "BEGIN; INSERT INTO outbox_events (id, aggregate, subject, payload) VALUES ('" + late.id + "', 'chaos-late', '" + subject_ +
                "', '{\"late\":true}')",
            timeout);
        if (!r.ok) {
            std::lock_guard<std::mutex> lock(mutex_);
            last_error_ = "late transaction: " + r.error;
            return false;
        }
        late_.push_back(std::move(late));
    }
    return true;
}

bool OutboxProducer::commit_late(std::chrono::milliseconds timeout) {
    bool all = true;
    for (auto& late : late_) {
        const auto r = late.db->query("COMMIT", timeout);
        // A COMMIT whose answer was lost may have committed: unknown, and the id stays attempted (set-full's rule).
        const auto outcome = r.ok ? probes::InsertOutcome::committed : probes::InsertOutcome::unknown;
        history_.add(late.sent, Insert{{late.id}, outcome, r.ok ? "" : r.error});
        std::lock_guard<std::mutex> lock(mutex_);
        if (r.ok) committed_.insert(late.id);
        else {
            last_error_ = "late commit: " + r.error;
            all = false;
        }
    }
    late_.clear();
    return all;
}

void OutboxProducer::attempt(probes::DbConnection& db, const std::string& id) {
    probes::OutboxRow row{id, "chaos-producer", subject_, R"({"source":"postgres_restart_outbox"})"};
    // 1 s: a healthy insert takes ~1 ms; during the outage a short timeout keeps the loop cycling.
    const auto sent = fixtures::Clock::now();
    const auto result = db.insert_outbox_row(row, 1s);
    const bool done = result.outcome == probes::InsertOutcome::committed || result.outcome == probes::InsertOutcome::duplicate;
    history_.add(sent, Insert{{id}, result.outcome, done ? "" : result.error});
    std::lock_guard<std::mutex> lock(mutex_);
    if (done) {
        committed_.insert(id);
        if (!pending_.empty() && pending_.front() == id) pending_.pop_front();
    } else {
        last_error_ = result.error;
        if (pending_.empty() || pending_.front() != id) pending_.push_back(id);
    }
}

void OutboxProducer::step(probes::DbConnection& db) {
    std::string id;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        id = pending_.empty() ? probes::new_uuid() : pending_.front();
    }
    attempt(db, id);
}

void OutboxProducer::start(fixtures::ProbeLoopLimits limits) {
    loop_db_ = std::make_unique<probes::DbConnection>(conninfo_);
    loop_ = std::make_unique<fixtures::ProbeLoop>("outbox producer", limits, [this](std::uint64_t) { step(*loop_db_); });
}

void OutboxProducer::stop_and_resolve(std::chrono::milliseconds budget) {
    if (loop_) loop_->stop();
    probes::DbConnection db(conninfo_);
    fixtures::eventually("pending outbox inserts resolved", fixtures::Deadline::in(budget), [&] {
        std::string id;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (pending_.empty()) return fixtures::Observation(true, "none pending");
            id = pending_.front();
        }
        attempt(db, id);
        return fixtures::Observation(false, fmt::format("{} pending", pending_count()));
    }, fixtures::Backoff{10ms, 1.0, 10ms});
}

std::size_t OutboxProducer::committed_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return committed_.size();
}

std::set<std::string> OutboxProducer::committed_ids() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return committed_;
}

std::size_t OutboxProducer::pending_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return pending_.size();
}

std::string OutboxProducer::last_error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_error_;
}

}  // namespace sea::chaos

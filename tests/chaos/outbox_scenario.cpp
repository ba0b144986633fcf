#include "outbox_scenario.hpp"

#include "outbox_checks.hpp"

#include "sea/probes/db_probe.hpp"
#include "sea/probes/http_probe.hpp"

#include <fmt/format.h>

#include <set>

namespace sea::chaos {

using namespace std::chrono_literals;
using fixtures::Observation;

OutboxScenario::OutboxScenario(std::string name)
    : ScenarioTest(fixtures::ScenarioSpec{.name = std::move(name), .profile = fixtures::profiles::outbox(), .env = {}}),
      pg_(spec().profile.url("postgres")),
      nats_(spec().profile.url("nats")),
      worker_(spec().profile.url("worker")) {}

void OutboxScenario::check_steady_state() {
    steady("postgres answers SELECT 1", 60s, [&] {
        const auto r = probes::db_query(pg_, "SELECT 1", 2s);
        return Observation(r.ok, r.ok ? "ok" : r.error);
    });
    steady("worker ready", 60s, [&] {
        const auto r = probes::http_get(worker_ + "/readyz", 1s);
        return Observation(r.ok(), fmt::format("{} {} {}", probes::to_string(r.outcome), r.status, r.body));
    });
    auto connected = probes::JetStreamClient::connect(nats_, 5s);
    if (!connected) return fail("stack-not-steady", "STACK NOT STEADY: JetStream connect: " + connected.error);
    const auto& js = *connected.client;
    // One row end to end before the fault: the relay works at all. It is marked published, which the worker does
    // only after the JetStream ack (whether it arrived under its id is invariant (a)'s question, across the fault).
    steady_id_ = probes::new_uuid();
    probes::OutboxRow row{steady_id_, "chaos", kSubject, R"({"phase":"steady"})"};
    if (!probes::insert_outbox_row(pg_, row, 5s).committed()) return fail("stack-not-steady", "STACK NOT STEADY: outbox insert failed");
    steady("a steady-state row is relayed", 30s, [&] {
        const auto r = probes::db_query(pg_, "SELECT published_at IS NOT NULL FROM outbox_events WHERE id = '" + steady_id_ + "'", 2s);
        const auto info = js.stream_info(kStream, 2s);
        return Observation(r.ok && r.rows.size() == 1 && r.rows[0][0] == "t" && info.ok && info.messages >= 1,
                           fmt::format("row published: {}; stream {} holds {} message(s)",
                                       r.ok && r.rows.size() == 1 ? r.rows[0][0].value_or("null") : r.error, kStream, info.messages));
    });
    worker_before_ = stack().container("sea-mq-worker").state();
}

bool OutboxScenario::start_load(std::chrono::seconds for_at_most) {
    inserts_ = &make_history<Insert>("outbox-insert");
    producer_ = std::make_unique<OutboxProducer>(pg_, kSubject, *inserts_);
    if (!producer_->insert_backlog(kBacklogRows, 30s)) {
        fail("stack-not-steady", "STACK NOT STEADY: backlog insert failed: " + producer_->last_error());
        return false;
    }
    producer_->start({.interval = 10ms, .max_iterations = static_cast<std::uint64_t>(for_at_most.count()) * 100, .max_duration = for_at_most});
    return true;
}

bool OutboxScenario::produce_across_recovery() {
    const auto commits = [&](const std::string& what, std::chrono::milliseconds budget) {
        const auto from = producer_->committed_count();
        const auto r = fixtures::eventually(what, fixtures::Deadline::in(budget), [&] {
            const auto n = producer_->committed_count() - from;
            return Observation(n >= 100, fmt::format("{} rows committed since", n));
        });
        if (!r.met) fail("other", "POSTGRES DID NOT RETURN: " + r.failure_message());
        return r.met;
    };
    if (!commits("producer commits again after the heal", 60s)) return false;
    // 3,000 rows at > 1,000 rows/s take ~3 s: 30 s is generous; a worker that never drains it is judged by (b).
    fixtures::eventually("backlog relayed", fixtures::Deadline::in(30s), [&] {
        const auto c = probes::count_outbox(pg_, 2s);
        return Observation(c.ok && c.published > kBacklogRows, fmt::format("{} published", c.published));
    });
    if (!commits("producer commits after the relay went idle", 30s)) return false;
    producer_->stop_and_resolve(30s);
    return true;
}

std::optional<probes::JetStreamClient> OutboxScenario::fresh_client(std::string& error) const {
    // A fresh connection per judgement: one held from the steady state would not survive a NATS restart.
    auto connected = probes::JetStreamClient::connect(nats_, 5s);
    if (!connected) {
        error = "JetStream connect: " + connected.error;
        return std::nullopt;
    }
    return std::move(*connected.client);
}

check::Verdict OutboxScenario::exactly_once_by_id() const {
    std::string error;
    const auto js = fresh_client(error);
    if (!js) return check::unknown(error);
    const auto observed = stream_id_counts(*js, kStream, error);
    if (!observed) return check::unknown("cannot read stream " + std::string(kStream) + ": " + error);
    std::set<std::string> attempted{steady_id_}, acknowledged = producer_->committed_ids();
    for (const auto& op : inserts_->ops()) attempted.insert(op.value.ids.begin(), op.value.ids.end());
    acknowledged.insert(steady_id_);
    auto v = check::exactly_once(attempted, acknowledged, *observed);
    v.final = v.counts["duplicated"] > 0;  // SEA_OUTBOX has no limits: a duplicate stays
    return v;
}

check::Verdict OutboxScenario::worker_restarted() {
    const auto now = stack().container("sea-mq-worker").state();
    const auto ready = probes::http_get(worker_ + "/readyz", 1s);
    const bool restarted = now.status == "running" && now.started_at != worker_before_.started_at;
    const auto evidence = fmt::format("worker {} started_at {} (before {}), restarts {} (before {}), readyz {}", now.status, now.started_at,
                                      worker_before_.started_at, now.restart_count, worker_before_.restart_count, ready.status);
    return restarted && ready.ok() ? check::valid(evidence) : check::invalid(evidence);
}

std::optional<long long> OutboxScenario::rows_claimed_now() const {
    // Unpublished rows minus those this (autocommit) statement can lock: the rest are locked by the worker's claim.
    const auto r = probes::db_query(pg_,
                                    "SELECT (SELECT count(*) FROM outbox_events WHERE published_at IS NULL) - "
                                    "(SELECT count(*) FROM (SELECT 1 FROM outbox_events WHERE published_at IS NULL FOR UPDATE SKIP LOCKED) s)",
                                    2s);
    if (!r.ok || r.rows.size() != 1 || !r.rows[0][0]) return std::nullopt;
    return std::stoll(*r.rows[0][0]);
}

void OutboxScenario::judge_worker_restarted() {
    // A restart policy starts the killed container within ~1 s (plus the worker's connects): 60 s as for (c).
    invariant_eventually("c worker-restarted", 60s, [&] { return worker_restarted(); });
}

void OutboxScenario::judge(WorkerFate fate) {
    // (c) readiness comes back once both connections are re-established; the worker backs off at most 5 s between
    // reconnects (OUTBOX_RECONNECT_MAX), and a restarted one starts in ~1 s: 60 s is generous and still catches a
    // worker that never returns.
    if (fate == WorkerFate::same_process) {
        invariant_eventually("c worker-self-recovered", 60s,
                             [&] { return same_worker_ready(stack().container("sea-mq-worker"), worker_before_, worker_); });
    }
    // (b) once ready again the worker relays > 1000 rows/s here, so a few thousand rows drain in seconds; 90 s
    // allows a loaded CI machine without hiding a stuck relay.
    invariant_eventually("b none-unpublished", 90s, [&] { return none_unpublished(pg_); });
    // (a) published_at is set only after the JetStream ack, so once (b) holds every row is in the stream; the
    // deadline only covers reading it back (~1 ms per message).
    invariant_eventually("a exactly-once-by-id", 30s, [&] { return exactly_once_by_id(); });
    // (d) everything is published and read back by now: one judgement of all marks (the deadline covers the read).
    invariant_eventually("d marked-after-stored", 30s, [&] {
        std::string error;
        const auto js = fresh_client(error);
        return js ? marked_after_stored(*js, kStream, pg_) : check::unknown(error);
    });
    recovered();
}

}  // namespace sea::chaos

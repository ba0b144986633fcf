// Scenario postgres_restart_outbox (profile chaos-outbox): `docker restart` of the postgres service while sea-mq-worker
// relays a backlog of outbox rows to JetStream and a producer keeps inserting.
//
// Invariants
//  (a) exactly-once-by-id: every outbox row whose insert committed (before, during or after the restart) is in
//      the JetStream stream exactly once, compared by Nats-Msg-Id = row id; no id appears twice;
//  (b) none-unpublished: no row stays unpublished after the deadline;
//  (c) worker-self-recovered: the worker container was never restarted (same StartedAt, RestartCount) and its
//      readiness returns.
//
// The backlog inserted right before the restart makes the worker be mid-batch (rows published, transaction not
// yet committed) when PostgreSQL goes away, so the re-send path — which only Nats-Msg-Id de-duplication keeps
// exactly-once — is exercised on every run, not by luck.
#include "outbox_checks.hpp"
#include "outbox_producer.hpp"

#include "sea/fixtures/docker.hpp"
#include "sea/fixtures/scenario.hpp"
#include "sea/probes/db_probe.hpp"
#include "sea/probes/http_probe.hpp"
#include "sea/probes/jetstream_probe.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;

constexpr const char* kStream = "SEA_OUTBOX";              // compose: OUTBOX_STREAM
constexpr const char* kSubject = "sea.outbox.chaos_probe";  // inside OUTBOX_SUBJECTS=sea.outbox.>
constexpr int kBacklogRows = 3000;

class PostgresRestartOutbox : public fixtures::ScenarioTest {
protected:
    PostgresRestartOutbox() : ScenarioTest(fixtures::ScenarioSpec{.name = "postgres_restart_outbox", .profile = fixtures::profiles::outbox(), .env = {}}) {}

    void check_steady_state() override {
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
        js_.emplace(std::move(*connected.client));
        // One row end to end before the fault: the relay works at all. It is marked published, which the worker does
        // only after the JetStream ack (whether it arrived under its id is invariant (a)'s question, across the fault).
        steady_id_ = probes::new_uuid();
        probes::OutboxRow row{steady_id_, "chaos", kSubject, R"({"phase":"steady"})"};
        if (!probes::insert_outbox_row(pg_, row, 5s).committed()) return fail("stack-not-steady", "STACK NOT STEADY: outbox insert failed");
        steady("a steady-state row is relayed", 30s, [&] {
            const auto r = probes::db_query(pg_, "SELECT published_at IS NOT NULL FROM outbox_events WHERE id = '" + steady_id_ + "'", 2s);
            const auto info = js_->stream_info(kStream, 2s);
            return Observation(r.ok && r.rows.size() == 1 && r.rows[0][0] == "t" && info.ok && info.messages >= 1,
                               fmt::format("row published: {}; stream {} holds {} message(s)",
                                           r.ok && r.rows.size() == 1 ? r.rows[0][0].value_or("null") : r.error, kStream, info.messages));
        });
        worker_before_ = stack().container("sea-mq-worker").state();
    }

    // Keeps the producer going until 100 rows committed after the restart, the backlog was relayed (rows inserted
    // once the relay is idle again belong to "after the restart" too: a worker that lost its LISTEN would never see
    // them) and 100 more rows committed; then resolves every unknown insert. False (with a failure) when PostgreSQL
    // never came back.
    bool produce_across_recovery(OutboxProducer& producer) {
        const auto commits = [&](const std::string& what, std::chrono::milliseconds budget) {
            const auto from = producer.committed_count();
            const auto r = fixtures::eventually(what, fixtures::Deadline::in(budget), [&] {
                const auto n = producer.committed_count() - from;
                return Observation(n >= 100, fmt::format("{} rows committed since", n));
            });
            if (!r.met) fail("other", "POSTGRES DID NOT RETURN: " + r.failure_message());
            return r.met;
        };
        if (!commits("producer commits again after the restart", 60s)) return false;
        // 3,000 rows at > 1,000 rows/s take ~3 s: 30 s is generous; a worker that never drains it is judged by (b).
        fixtures::eventually("backlog relayed", fixtures::Deadline::in(30s), [&] {
            const auto c = probes::count_outbox(pg_, 2s);
            return Observation(c.ok && c.published > kBacklogRows, fmt::format("{} published", c.published));
        });
        if (!commits("producer commits after the relay went idle", 30s)) return false;
        producer.stop_and_resolve(30s);
        return true;
    }

    // (a) Jepsen's set-full over the producer's history: every acknowledged (committed) row once in the stream.
    check::Verdict exactly_once_by_id(const fixtures::History<Insert>& inserts, const OutboxProducer& producer) const {
        std::string error;
        const auto observed = stream_id_counts(*js_, kStream, error);
        if (!observed) return check::unknown("cannot read stream " + std::string(kStream) + ": " + error);
        std::set<std::string> attempted{steady_id_}, acknowledged = producer.committed_ids();
        for (const auto& op : inserts.ops()) attempted.insert(op.value.ids.begin(), op.value.ids.end());
        acknowledged.insert(steady_id_);
        auto v = check::exactly_once(attempted, acknowledged, *observed);
        v.final = v.counts["duplicated"] > 0;  // SEA_OUTBOX has no limits: a duplicate stays
        return v;
    }

    const std::string pg_ = spec().profile.url("postgres");   // SEA_PG_PORT, SEA_PG_PASSWORD
    const std::string nats_ = spec().profile.url("nats");     // SEA_NATS_PORT
    const std::string worker_ = spec().profile.url("worker");  // SEA_WORKER_HTTP_PORT
    std::optional<probes::JetStreamClient> js_;
    std::string steady_id_;
    fixtures::ContainerState worker_before_;
};

TEST_F(PostgresRestartOutbox, NoRowLostOrDuplicated) {
    auto& inserts = make_history<Insert>("outbox-insert");
    OutboxProducer producer(pg_, kSubject, inserts);
    if (!producer.insert_backlog(kBacklogRows, 30s)) return fail("stack-not-steady", "STACK NOT STEADY: backlog insert failed: " + producer.last_error());
    producer.start({.interval = 10ms, .max_iterations = 8000, .max_duration = 150s});

    // The restart must hit while the worker still relays the backlog, or the re-send path goes untested.
    const auto before = probes::count_outbox(pg_, 2s);
    if (!before.ok || before.unpublished == 0) {
        return fail("stack-not-steady", fmt::format("STACK NOT STEADY: the backlog was relayed before the fault could hit it ({})", before.error));
    }
    auto& restart = make_fault<fixtures::ContainerRestart>(stack().service("postgres"));
    ASSERT_TRUE(inject(restart, 10s, [&] {
        std::string evidence;
        const bool restarted = restart.verify_injected(evidence);
        return Observation(restarted, fmt::format("{}; {} rows were unpublished when it began", evidence, before.unpublished));
    }));
    heal();  // a restart heals itself; this records the phase (and starts postgres if the restart left it stopped)
    if (!produce_across_recovery(producer)) return;

    // (c) readiness comes back once both connections are re-established; the worker backs off at most 5 s
    // between reconnects (OUTBOX_RECONNECT_MAX), so 60 s is generous and still catches a worker that never returns.
    invariant_eventually("c worker-self-recovered", 60s, [&] { return same_worker_ready(stack().container("sea-mq-worker"), worker_before_, worker_); });
    // (b) Once ready again the worker relays > 1000 rows/s here, so a few thousand rows drain in seconds; 90 s
    // allows a loaded CI machine without hiding a stuck relay.
    invariant_eventually("b none-unpublished", 90s, [&] { return none_unpublished(pg_); });
    // (a) published_at is set only after the JetStream ack, so once (b) holds every row is in the stream; the
    // deadline only covers reading it back (≈ 1 ms per message).
    invariant_eventually("a exactly-once-by-id", 30s, [&] { return exactly_once_by_id(inserts, producer); });
    recovered();
}

}  // namespace
}  // namespace sea::chaos

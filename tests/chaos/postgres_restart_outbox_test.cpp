// Scenario postgres_restart_outbox (profile chaos-outbox): `docker restart sea-postgres` while sea-mq-worker
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
#include "outbox_producer.hpp"

#include "sea/fixtures/docker.hpp"
#include "sea/fixtures/env.hpp"
#include "sea/fixtures/fault.hpp"
#include "sea/fixtures/scenario.hpp"
#include "sea/probes/db_probe.hpp"
#include "sea/probes/http_probe.hpp"
#include "sea/probes/jetstream_probe.hpp"
#include "sea/probes/nats_probe.hpp"

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
    PostgresRestartOutbox()
        : ScenarioTest(fixtures::ScenarioSpec{
              .name = "postgres_restart_outbox",
              .profile = fixtures::profiles::outbox(),
              .env = {},
          }) {}

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
        ASSERT_TRUE(connected) << "STACK NOT STEADY: JetStream connect: " << connected.error;
        js_.emplace(std::move(*connected.client));
        // One row end to end before the fault: the relay works at all.
        const auto id = probes::new_uuid();
        probes::OutboxRow row{id, "chaos", kSubject, R"({"phase":"steady"})"};
        ASSERT_TRUE(probes::insert_outbox_row(pg_, row, 5s).committed()) << "STACK NOT STEADY: outbox insert failed";
        // The relay works at all: the row is marked published, which the worker does only after the JetStream ack.
        // (Whether it arrived under its id is invariant (a)'s question, asked across the fault.)
        steady("a steady-state row is relayed", 30s, [&] {
            const auto r = probes::db_query(pg_, "SELECT published_at IS NOT NULL FROM outbox_events WHERE id = '" + id + "'", 2s);
            const auto info = js_->stream_info(kStream, 2s);
            return Observation(r.ok && r.rows.size() == 1 && r.rows[0][0] == "t" && info.ok && info.messages >= 1,
                               fmt::format("row published: {}; stream {} holds {} message(s)",
                                           r.ok && r.rows.size() == 1 ? r.rows[0][0].value_or("null") : r.error, kStream, info.messages));
        });
        worker_before_ = fixtures::Container("sea-mq-worker").state();
    }

    struct StreamIds {
        bool ok = false;
        std::map<std::string, int> counts;
        std::string summary;
    };
    StreamIds stream_ids() const {
        StreamIds out;
        const auto info = js_->stream_info(kStream, 5s);
        if (!info.ok) {
            out.summary = "stream info: " + info.error;
            return out;
        }
        const auto read = js_->read_ids(kStream, info.first_seq, info.last_seq, 60s);
        out.ok = read.ok;
        for (const auto& m : read.messages) ++out.counts[m.msg_id];
        out.summary = fmt::format("stream {} holds {} messages (seq {}..{}), {} distinct ids{}", kStream, read.messages.size(),
                                  info.first_seq, info.last_seq, out.counts.size(), read.ok ? "" : "; read error: " + read.error);
        return out;
    }

    const std::string pg_ = spec().profile.url("postgres");   // SEA_PG_PORT, SEA_PG_PASSWORD
    const std::string nats_ = spec().profile.url("nats");     // SEA_NATS_PORT
    const std::string worker_ = spec().profile.url("worker");  // SEA_WORKER_HTTP_PORT
    std::optional<probes::JetStreamClient> js_;
    fixtures::ContainerState worker_before_;
};

TEST_F(PostgresRestartOutbox, NoRowLostOrDuplicated) {
    OutboxProducer producer(pg_, kSubject, timeline());

    // A backlog the worker is still relaying when the restart hits.
    ASSERT_TRUE(producer.insert_backlog(kBacklogRows, 30s)) << "STACK NOT STEADY: backlog insert failed: " << producer.last_error();
    producer.start({.interval = 10ms, .max_iterations = 8000, .max_duration = 150s});

    // The restart must hit while the worker still relays the backlog, or the re-send path goes untested.
    const auto before = probes::count_outbox(pg_, 2s);
    ASSERT_TRUE(before.ok && before.unpublished > 0)
        << "STACK NOT STEADY: the backlog was relayed before the fault could hit it: " << before.unpublished << " unpublished " << before.error;
    timeline().event("backlog-at-inject", true, before.latency, fmt::format("{} unpublished", before.unpublished));
    auto& restart = make_fault<fixtures::ContainerRestart>("sea-postgres");
    ASSERT_TRUE(inject(restart, 10s, [&] {
        std::string evidence;
        const bool restarted = restart.verify_injected(evidence);
        return Observation(restarted, fmt::format("{}; {} rows were unpublished when it began", evidence, before.unpublished));
    }));
    heal();  // a restart heals itself; this records the phase (and starts postgres if the restart left it stopped)

    // Keep producing until 100 rows committed after the restart: rows "after" the fault are part of (a).
    const auto after_restart = producer.committed_count();
    const auto resumed = fixtures::eventually("producer commits again after the restart", fixtures::Deadline::in(60s), [&] {
        const auto n = producer.committed_count() - after_restart;
        return Observation(n >= 100, fmt::format("{} rows committed since the restart", n));
    });
    ASSERT_TRUE(resumed.met) << "POSTGRES DID NOT RETURN: " << resumed.failure_message();
    // Rows inserted once the relay is idle again belong to "after the restart" too (a worker that lost its
    // LISTEN would never see them): wait until the backlog is relayed — 3,000 rows at > 1,000 rows/s take ~3 s,
    // 30 s is generous; a worker that never drains it is judged by the invariants below — then keep producing.
    const auto drained = fixtures::eventually("backlog relayed", fixtures::Deadline::in(30s), [&] {
        const auto c = probes::count_outbox(pg_, 2s);
        return Observation(c.ok && c.published > kBacklogRows, fmt::format("{} published", c.published));
    });
    timeline().event("backlog-relayed", drained.met, {}, drained.last_observed);
    const auto after_drain = producer.committed_count();
    const auto more = fixtures::eventually("producer commits after the relay went idle", fixtures::Deadline::in(30s), [&] {
        const auto n = producer.committed_count() - after_drain;
        return Observation(n >= 100, fmt::format("{} rows committed since", n));
    });
    ASSERT_TRUE(more.met) << "POSTGRES DID NOT RETURN: " << more.failure_message();
    producer.stop_and_resolve(30s);
    const auto committed = producer.committed_ids();

    // (c) readiness comes back once both connections are re-established; the worker backs off at most 5 s
    // between reconnects (OUTBOX_RECONNECT_MAX), so 60 s is generous and still catches a worker that never returns.
    invariant_eventually("c worker-self-recovered", 60s, [&] {
        const auto now = fixtures::Container("sea-mq-worker").state();
        const auto ready = probes::http_get(worker_ + "/readyz", 1s);
        const bool same_process = now.status == "running" && now.started_at == worker_before_.started_at &&
                                  now.restart_count == worker_before_.restart_count;
        return Observation(same_process && ready.ok(),
                           fmt::format("worker {} started_at {} (before {}), restarts {} (before {}), readyz {}", now.status, now.started_at,
                                       worker_before_.started_at, now.restart_count, worker_before_.restart_count, ready.status));
    });
    // (b) Once ready again the worker relays > 1000 rows/s here, so a few thousand rows drain in seconds; 90 s allows a loaded CI machine without hiding a stuck relay.
    invariant_eventually("b none-unpublished", 90s, [&] {
        const auto c = probes::count_outbox(pg_, 5s);
        return Observation(c.ok && c.unpublished == 0,
                           c.ok ? fmt::format("{} rows, {} published, {} unpublished", c.total, c.published, c.unpublished) : c.error);
    });

    // (a) published_at is set only after the JetStream ack, so once (b) holds every row is in the stream; the
    // deadline only covers reading it back (≈ 1 ms per message).
    invariant_eventually("a exactly-once-by-id", 30s, [&] {
        const auto ids = stream_ids();
        if (!ids.ok) return Observation(false, ids.summary);
        std::size_t missing = 0, duplicated = 0;
        std::string example;
        for (const auto& id : committed) {
            const auto it = ids.counts.find(id);
            if (it == ids.counts.end()) {
                ++missing;
                if (example.empty()) example = "missing " + id;
            }
        }
        for (const auto& [id, n] : ids.counts) {
            if (n > 1) {
                ++duplicated;
                if (example.empty()) example = fmt::format("{} appears {} times", id, n);
            }
        }
        return Observation(missing == 0 && duplicated == 0,
                           fmt::format("{} committed rows; {}; {} missing, {} duplicated{}{}", committed.size(), ids.summary, missing,
                                       duplicated, example.empty() ? "" : "; e.g. ", example));
    });

    recovered();
}

}  // namespace
}  // namespace sea::chaos

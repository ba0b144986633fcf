// Fault matrix outbox_faults (profile chaos-outbox): the outbox invariants (outbox_scenario.hpp: (a) exactly-once-by-id,
// (b) none-unpublished, (c) worker-self-recovered / worker-restarted, (d) marked-after-stored) under the faults other
// than the seed's PostgreSQL restart (postgres_restart_outbox_test.cpp). Every case relays a 3,000-row backlog while a
// producer inserts every 10 ms, so the worker is mid-batch when the fault lands.
//
//  case                          fault                                              the path it drives
//  outbox_pg_long_outage         NATS paused until the worker is seen holding a      rows published but never marked,
//                                claimed batch, PostgreSQL stopped, NATS unpaused;   re-sent 150 s later: beyond
//                                PostgreSQL held down 150 s                          JetStream's old 120 s dedupe window
//  outbox_pg_pause               PostgreSQL paused 10 s                             the worker's queries hang
//  outbox_nats_restart           NATS restarted                                     publishes fail, reconnect
//  outbox_nats_stop_late_commit  20 transactions opened, NATS stopped 30 s; they     rows older than rows already
//                                commit after the relay resumed                     relayed appear late
//  outbox_worker_kill            SIGKILL of the worker mid-batch (its restart       crash between publish and mark
//                                policy brings it back)
#include "matrix_case.hpp"
#include "outbox_scenario.hpp"

#include "sea/probes/db_probe.hpp"

#include <fmt/format.h>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;

enum class Kind { pg_long_outage, pg_pause, nats_restart, nats_stop_late_commit, worker_kill };

struct OutboxCase {
    const char* name;
    Kind kind;
    std::chrono::seconds hold;  // 0 = heals itself (restart) or at once
};
using matrix_case::PrintTo;  // GetParam() prints as the case's name (matrix_case.hpp)

class OutboxFaults : public OutboxScenario, public ::testing::WithParamInterface<OutboxCase> {
protected:
    OutboxFaults() : OutboxScenario(GetParam().name) {}

    // NATS paused, then — once the worker is seen holding a claimed batch whose publishes now hang — PostgreSQL
    // stopped: the batch's transaction dies with rows already handed to JetStream (stored once NATS is unpaused).
    fixtures::CompoundFault& make_long_outage() {
        std::vector<std::unique_ptr<fixtures::Fault>> parts;
        parts.push_back(std::make_unique<fixtures::ContainerPause>(stack().service("nats")));
        parts.push_back(std::make_unique<fixtures::ContainerStop>(stack().service("postgres")));
        return make_fault<fixtures::CompoundFault>(std::move(parts), [this](std::size_t) {
            const auto held = fixtures::eventually("the worker holds a claimed batch", fixtures::Deadline::in(3s), [&] {
                claimed_ = rows_claimed_now().value_or(0);
                return Observation(claimed_ > 0, fmt::format("{} rows claimed", claimed_));
            });
            if (!held.met) throw fixtures::FaultError("no claimed batch to interrupt: " + held.failure_message());
        });
    }

    fixtures::Fault& make_case_fault() {
        switch (GetParam().kind) {
            case Kind::pg_long_outage: return make_long_outage();
            case Kind::pg_pause: return make_fault<fixtures::ContainerPause>(stack().service("postgres"));
            case Kind::nats_restart: return make_fault<fixtures::ContainerRestart>(stack().service("nats"));
            case Kind::nats_stop_late_commit: return make_fault<fixtures::ContainerStop>(stack().service("nats"));
            case Kind::worker_kill: return make_fault<fixtures::ContainerKill>(stack().service("sea-mq-worker"));
        }
        throw std::logic_error("unknown case kind");
    }

    Observation took_effect(fixtures::Fault& fault) {
        std::string evidence;
        if (GetParam().kind == Kind::pg_long_outage) {
            auto& compound = dynamic_cast<fixtures::CompoundFault&>(fault);
            const bool stopped = compound.part(1).verify_injected(evidence);
            return Observation(stopped && claimed_ > 0, fmt::format("postgres {}; the worker held {} claimed rows", evidence, claimed_));
        }
        const bool in_place = fault.verify_injected(evidence);
        if (GetParam().kind == Kind::pg_pause) {
            const auto answer = probes::db_query(pg_, "SELECT 1", 500ms);
            return Observation(in_place && !answer.ok, fmt::format("{}; SELECT 1: {}", evidence, answer.ok ? "answered" : answer.error));
        }
        return Observation(in_place, evidence);
    }

    long long claimed_ = 0;
};

TEST_P(OutboxFaults, NoRowLostOrDuplicated) {
    const auto& c = GetParam();
    if (!start_load(c.kind == Kind::pg_long_outage ? 240s : 150s)) return;
    if (c.kind == Kind::nats_stop_late_commit && !producer().open_late(20, 5s)) return fail("stack-not-steady", "STACK NOT STEADY: " + producer().last_error());
    const auto before = probes::count_outbox(pg_, 2s);
    if (!before.ok || before.unpublished == 0) return fail("stack-not-steady", "STACK NOT STEADY: the backlog was relayed before the fault could hit it");

    auto& fault = make_case_fault();
    ASSERT_TRUE(inject(fault, 10s, [&] { return took_effect(fault); }));
    if (c.kind == Kind::pg_long_outage) dynamic_cast<fixtures::CompoundFault&>(fault).heal_part(0);  // NATS back: PostgreSQL stays down
    if (c.kind == Kind::worker_kill) judge_worker_restarted();  // before heal(): the heal would start it itself
    if (c.hold.count() > 0) hold(c.hold);
    heal();
    if (c.kind == Kind::nats_stop_late_commit) {
        // The late rows commit once the relay has moved past them: a row inserted now (younger than every late
        // row) is published, and the worker claims in (created_at, id) order. 60 s: the worker reconnects to NATS
        // within its 250 ms wait and relays the rest of the backlog (~3 s).
        const auto marker = producer().insert_one(5s);
        if (!marker) return fail("other", "POSTGRES DID NOT ANSWER after the heal: " + producer().last_error());
        // Not met: the relay never resumed, which (b) and (c) judge; the late rows commit anyway.
        fixtures::eventually("the relay moved past the late rows", fixtures::Deadline::in(60s), [&] {
            const auto r = probes::db_query(pg_, "SELECT published_at IS NOT NULL FROM outbox_events WHERE id = '" + *marker + "'", 2s);
            return Observation(r.ok && r.rows.size() == 1 && r.rows[0][0] == "t", fmt::format("row {} published: {}", *marker, r.ok && r.rows.size() == 1 ? r.rows[0][0].value_or("null") : r.error));
        });
        if (!producer().commit_late(5s)) return fail("other", "late commits failed: " + producer().last_error());
    }
    if (!produce_across_recovery()) return;
    judge(c.kind == Kind::worker_kill ? WorkerFate::restarted_judged : WorkerFate::same_process);
}

// Holds: 150 s crosses JetStream's former 120 s duplicate window (the worker now keeps 20 min, README); 10 s of
// pause is 10 worker reconnect backoffs' worth of hanging queries; 30 s of NATS down is 120 of the worker's 250 ms
// reconnect attempts and covers the late transactions' wait.
INSTANTIATE_TEST_SUITE_P(Matrix, OutboxFaults,
                         ::testing::Values(OutboxCase{"outbox_pg_long_outage", Kind::pg_long_outage, 150s},
                                           OutboxCase{"outbox_pg_pause", Kind::pg_pause, 10s},
                                           OutboxCase{"outbox_nats_restart", Kind::nats_restart, 0s},
                                           OutboxCase{"outbox_nats_stop_late_commit", Kind::nats_stop_late_commit, 30s},
                                           OutboxCase{"outbox_worker_kill", Kind::worker_kill, 0s}),
                         matrix_case_name{});

}  // namespace
}  // namespace sea::chaos

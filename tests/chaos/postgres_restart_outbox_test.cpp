// Scenario postgres_restart_outbox (profile chaos-outbox): `docker restart` of the postgres service while sea-mq-worker
// relays a backlog of outbox rows to JetStream and a producer keeps inserting (the seed's fault; the same invariants
// under longer and other faults: outbox_faults_test.cpp).
//
// Invariants (stated once in outbox_scenario.hpp): (a) exactly-once-by-id, (b) none-unpublished, (c)
// worker-self-recovered, (d) marked-after-stored.
//
// The backlog inserted right before the restart makes the worker be mid-batch (rows published, transaction not
// yet committed) when PostgreSQL goes away, so the re-send path — which only Nats-Msg-Id de-duplication keeps
// exactly-once — is exercised on every run, not by luck.
#include "outbox_scenario.hpp"

#include "sea/probes/db_probe.hpp"

#include <fmt/format.h>

namespace sea::chaos {
namespace {

using namespace std::chrono_literals;
using fixtures::Observation;

class PostgresRestartOutbox : public OutboxScenario {
protected:
    PostgresRestartOutbox() : OutboxScenario("postgres_restart_outbox") {}
};

TEST_F(PostgresRestartOutbox, NoRowLostOrDuplicated) {
    if (!start_load()) return;

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
    if (!produce_across_recovery()) return;
    judge(WorkerFate::same_process);
}

}  // namespace
}  // namespace sea::chaos

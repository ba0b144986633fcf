// OutboxScenario: the outbox relay's invariant set (PostgreSQL -> sea-mq-worker -> JetStream), stated once, for every
// fault that can break it (the seed's postgres_restart_outbox and the outbox_faults matrix). A scenario inserts a
// backlog, starts the producer, injects its fault, then produce_across_recovery() and judge().
//
// Invariants (letters: the ids of the mutant table and SEA_STOP_AT_VIOLATION)
//  (a) exactly-once-by-id: every row whose insert committed (before, during or after the fault, late commits too)
//      is in the JetStream stream exactly once, by Nats-Msg-Id = row id (Jepsen's set-full: lost / duplicated /
//      unexpected); a duplicate is final (the stream has no limits);
//  (b) none-unpublished: no row stays unpublished;
//  (c) worker-self-recovered: the worker process that was there before the fault (same StartedAt, RestartCount)
//      answers /readyz again — or, for a fault that kills the worker, worker-restarted: its restart policy brought
//      a new process up and it answers /readyz;
//  (d) marked-after-stored: published_at is never earlier than JetStream's store time of the row's message (the
//      outbox contract: a row is marked only after the broker acknowledged it).
#pragma once

#include "outbox_producer.hpp"

#include "sea/fixtures/docker.hpp"
#include "sea/fixtures/scenario.hpp"
#include "sea/probes/jetstream_probe.hpp"

#include <optional>
#include <string>

namespace sea::chaos {

class OutboxScenario : public fixtures::ScenarioTest {
protected:
    explicit OutboxScenario(std::string name);

    static constexpr const char* kStream = "SEA_OUTBOX";              // compose: OUTBOX_STREAM
    static constexpr const char* kSubject = "sea.outbox.chaos_probe";  // inside OUTBOX_SUBJECTS=sea.outbox.>
    static constexpr int kBacklogRows = 3000;

    void check_steady_state() override;

    // The producer over a fixture-owned History; start_load() inserts the backlog (the worker is then mid-batch for
    // ~3 s: the re-send path is exercised on every run) and starts the producer (every 10 ms, bounded by
    // `for_at_most`). False (with a failure) when the backlog could not be inserted.
    bool start_load(std::chrono::seconds for_at_most = std::chrono::seconds(150));
    OutboxProducer& producer() { return *producer_; }

    // Keeps producing until 100 rows committed after the heal, the backlog was relayed and 100 more committed, then
    // resolves every unknown insert. False (with a failure) when PostgreSQL never came back.
    bool produce_across_recovery();

    // (c) for a fault that kills the worker: its restart policy brings a new process up (judge it BEFORE heal():
    // the heal would start the container itself and hide a missing policy).
    void judge_worker_restarted();
    // (c) unless judged already, (b), (a), (d) with their deadlines, then recovered().
    enum class WorkerFate { same_process, restarted_judged };
    void judge(WorkerFate fate);

    // Rows the worker holds claimed (locked FOR UPDATE by its open transaction) right now; nullopt when unreadable.
    [[nodiscard]] std::optional<long long> rows_claimed_now() const;

    const std::string pg_;      // SEA_PG_PORT, SEA_PG_PASSWORD
    const std::string nats_;    // SEA_NATS_PORT
    const std::string worker_;  // SEA_WORKER_HTTP_PORT

private:
    [[nodiscard]] std::optional<probes::JetStreamClient> fresh_client(std::string& error) const;
    [[nodiscard]] check::Verdict exactly_once_by_id() const;
    [[nodiscard]] check::Verdict worker_restarted();

    std::string steady_id_;
    fixtures::ContainerState worker_before_;
    fixtures::History<Insert>* inserts_ = nullptr;
    std::unique_ptr<OutboxProducer> producer_;
};

}  // namespace sea::chaos

#pragma once
// OutboxRelay: the at-least-once relay loop, independent of PostgreSQL and NATS specifics.
//
// One step: claim a batch (transaction + row locks), publish each row and wait for its ack, mark the
// acked rows published, record the first failure (attempts/last_error), commit. A row is marked only
// after its ack, in the same transaction that locked it, so:
//   - a crash or lost DB connection before COMMIT leaves the rows unpublished; they are re-sent and
//     JetStream drops the copy by Nats-Msg-Id, so the stream holds each id once as long as the re-send
//     comes within the stream's duplicate window (WORKER_DUPLICATES_WINDOW_S, 20 min by default);
//     a lost DB connection alone does not even re-send (see "acked but not marked" below);
//   - the UPDATE only touches rows still unpublished, so a row is never marked twice.
// Acked but not marked: when the store fails after some rows of a batch were acked (their marks are
// lost with the transaction), the relay remembers those ids (one batch, more only after consecutive
// failed commits) with the broker's connection epoch. The first batch after the store returns marks the remembered rows it claims without
// publishing them again, so a PostgreSQL outage of any length does not depend on the dedupe window.
// The memory is dropped after that batch commits, when the broker reconnected in between (its stored
// messages are then not assumed) and with the process; those rows are re-sent and dedupe applies.
// A failed publish gets attempts+1 and last_error. If the broker connection is gone the batch ends
// there (later rows stay unpublished, unlocked at commit); if the broker is still connected only that
// row was rejected and the batch goes on, so one unpublishable row cannot block the rows behind it.
// The loop backs off when a step made no progress. (No dead-letter policy: a permanently rejected row
// is retried forever, visible through attempts/last_error and sea_worker_publish_retries_total.)
//
// Waiting for work: after a short (non-full) batch the loop blocks on the store's LISTEN/NOTIFY wake-up
// with the poll interval as timeout. NOTIFY gives low latency; the timeout is the fallback for missed
// notifications (a reconnect window, another worker holding the rows, rows left by a failed batch).
//
// Connection losses never end the loop: the store is reconnected with capped exponential backoff
// (NATS reconnects inside the client library). run() returns only when stop is requested.
#include "backoff.hpp"
#include "event_publisher.hpp"
#include "outbox_store.hpp"
#include "stop_signal.hpp"
#include "worker_metrics.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

namespace sea::worker {

struct RelayOptions {
    int batchSize = 100;
    std::chrono::milliseconds pollInterval{200};
    std::chrono::milliseconds backoffInitial{100};
    std::chrono::milliseconds backoffMax{2000};
};

enum class StepOutcome {
    FullBatch,       // a whole batch was published: more work is likely waiting
    PartialBatch,    // fewer rows than the batch size were published
    Idle,            // nothing to publish
    StoreDown,       // no database connection (or it was lost during the step)
    PublisherDown,   // not connected to NATS, or the stream could not be ensured
    PublishFailed,   // some publish failed; the acked rows were still marked
};

struct StepResult {
    StepOutcome outcome;
    std::size_t published = 0;
};

class OutboxRelay {
public:
    OutboxRelay(OutboxStore& store, EventPublisher& publisher, WorkerMetrics& metrics, RelayOptions options,
                const sea::apps::StopSignal& stop);

    // One relay step; never throws for store/publisher failures.
    StepResult step();
    // Loops step() with waiting and backoff until stop is requested.
    void run();

private:
    bool ensureStoreConnected();
    bool ensurePublisherReady();
    void onStoreError(const StoreError& error);

    OutboxStore& store_;
    EventPublisher& publisher_;
    WorkerMetrics& metrics_;
    RelayOptions options_;
    const sea::apps::StopSignal& stop_;
    // Ids JetStream acked whose marks were lost with the store (see above), and the epoch of those acks.
    std::set<std::string> ackedUnmarked_;
    std::uint64_t ackedUnmarkedEpoch_ = 0;
    bool storeEverConnected_ = false;
    bool streamEnsured_ = false;
    std::uint64_t streamEpoch_ = 0;
};

}  // namespace sea::worker

#include "outbox_relay.hpp"

#include "log.hpp"

#include <chrono>
#include <cstdlib>

namespace sea::worker {

using sea::apps::logf;

OutboxRelay::OutboxRelay(OutboxStore& store, EventPublisher& publisher, WorkerMetrics& metrics, RelayOptions options,
                         const sea::apps::StopSignal& stop)
    : store_(store), publisher_(publisher), metrics_(metrics), options_(options), stop_(stop) {}

bool OutboxRelay::ensureStoreConnected() {
    if (store_.connected()) return true;
#ifdef SEA_MUTANT_EXIT_ON_DB_LOSS
    // MUTANT: gives up instead of reconnecting once an established connection is lost.
    if (storeEverConnected_) {
        logf("db", "MUTANT exit-on-db-loss: connection lost, exiting 1");
        std::exit(1);
    }
#endif
    try {
        store_.connect();
    } catch (const StoreError& error) {
        logf("db", "connect failed: {}", error.what());
        return false;
    }
    if (storeEverConnected_) {
        metrics_.dbReconnects.fetch_add(1);
        logf("db", "reconnected");
    } else {
        logf("db", "connected");
    }
    storeEverConnected_ = true;
    return true;
}

bool OutboxRelay::ensurePublisherReady() {
    if (!publisher_.connected()) return false;
    const auto epoch = publisher_.connectionEpoch();
    if (streamEnsured_ && epoch == streamEpoch_) return true;
    try {
        publisher_.ensureStream();
    } catch (const PublisherError& error) {
        logf("nats", "ensure stream failed: {}", error.what());
        return false;
    }
    streamEnsured_ = true;
    streamEpoch_ = epoch;
    return true;
}

void OutboxRelay::onStoreError(const StoreError& error) {
    logf("db", "{}: {}", error.connectionLost() ? "connection lost" : "statement failed", error.what());
}

StepResult OutboxRelay::step() {
    if (!ensureStoreConnected()) return {StepOutcome::StoreDown};
    if (!ensurePublisherReady()) return {StepOutcome::PublisherDown};
    const auto epoch = publisher_.connectionEpoch();
    if (epoch != ackedUnmarkedEpoch_) ackedUnmarked_.clear();  // the broker reconnected: re-send, rely on dedupe
    std::vector<std::string> acked;
    try {
        const auto rows = store_.claimBatch(options_.batchSize);
        if (rows.empty()) {
            store_.commit();
            ackedUnmarked_.clear();
            return {StepOutcome::Idle};
        }
        metrics_.claimed.fetch_add(rows.size());
        acked.reserve(rows.size());
#ifdef SEA_MUTANT_MARK_BEFORE_ACK
        // MUTANT: marks every row published and commits BEFORE publishing fire-and-forget.
        for (const auto& row : rows) acked.push_back(row.id);
        store_.markPublished(acked);
        store_.commit();
        for (const auto& row : rows) publisher_.publishNoAck(row);
        metrics_.published.fetch_add(acked.size());
        logf("relay", "MUTANT mark-before-ack: marked and sent {} rows", acked.size());
        return {static_cast<int>(rows.size()) == options_.batchSize ? StepOutcome::FullBatch
                                                                     : StepOutcome::PartialBatch,
                acked.size()};
#else
        std::vector<std::pair<const OutboxRow*, std::string>> failures;
        std::size_t remembered = 0;
        for (const auto& row : rows) {
#ifndef SEA_MUTANT_SHORT_DUP_WINDOW  // MUTANT short-dup-window: always re-sends (the old behaviour)
            if (ackedUnmarked_.count(row.id) != 0) {  // already acked by JetStream: mark, do not re-send
                acked.push_back(row.id);
                ++remembered;
                continue;
            }
#endif
            auto result = publisher_.publish(row);
            if (result.acked) {
                acked.push_back(row.id);
                continue;
            }
            failures.emplace_back(&row, std::move(result.error));
            // Broker gone: stop here (the rest stays unpublished). Broker up: this row alone was
            // rejected (e.g. no stream for its subject); go on so it cannot block the rows behind it.
            if (!publisher_.connected()) break;
        }
        if (!acked.empty()) store_.markPublished(acked);
        for (const auto& [row, error] : failures) store_.recordFailure(row->id, error);
        store_.commit();
        ackedUnmarked_.clear();
        metrics_.published.fetch_add(acked.size());
        if (remembered > 0) logf("relay", "marked {} rows JetStream had acked before the store was lost", remembered);
        if (!failures.empty()) {
            metrics_.publishRetries.fetch_add(failures.size());
            logf("relay", "published {} of {} rows; {} failed, first {}: {}", acked.size(), rows.size(),
                 failures.size(), failures.front().first->id, failures.front().second);
            return {StepOutcome::PublishFailed, acked.size()};
        }
        logf("relay", "published batch of {} rows", acked.size());
        return {static_cast<int>(rows.size()) == options_.batchSize ? StepOutcome::FullBatch
                                                                     : StepOutcome::PartialBatch,
                acked.size()};
#endif
    } catch (const StoreError& error) {
        onStoreError(error);
        // The rows acked in this step are stored in JetStream but their marks are lost: remember them.
        ackedUnmarked_.insert(acked.begin(), acked.end());
        ackedUnmarkedEpoch_ = epoch;
        return {StepOutcome::StoreDown};
    }
}

void OutboxRelay::run() {
    Backoff backoff(options_.backoffInitial, options_.backoffMax);
    while (!stop_.stopRequested()) {
#ifdef SEA_MUTANT_WATCHDOG_EXIT
        // MUTANT: a watchdog that takes a slow database for a dead one: a relay step slower than 5 s (its queries hung)
        // exits the process (the restart policy brings a new one), instead of riding out a database that only hung.
        const auto stepStarted = std::chrono::steady_clock::now();
        const auto result = step();
        if (std::chrono::steady_clock::now() - stepStarted > std::chrono::seconds(5)) {
            logf("db", "MUTANT watchdog: a relay step took > 5 s, exiting 1");
            std::exit(1);
        }
#else
        const auto result = step();
#endif
        switch (result.outcome) {
            case StepOutcome::FullBatch:
                backoff.reset();
                break;
            case StepOutcome::PartialBatch:
            case StepOutcome::Idle:
                backoff.reset();
#ifdef SEA_MUTANT_NO_RELISTEN
                // MUTANT: "we have NOTIFY, polling is redundant": waits for a notification, never polls.
                while (!stop_.stopRequested() && store_.connected() && !store_.waitForWork(options_.pollInterval)) {
                }
#else
                store_.waitForWork(options_.pollInterval);
#endif
                break;
            case StepOutcome::PublishFailed:
                if (result.published > 0) {  // progress was made: retry the failed rows after a normal wait
                    store_.waitForWork(options_.pollInterval);
                    break;
                }
                [[fallthrough]];
            case StepOutcome::StoreDown:
            case StepOutcome::PublisherDown:
                stop_.waitFor(backoff.next());
                break;
        }
    }
    logf("relay", "stopped");
}

}  // namespace sea::worker

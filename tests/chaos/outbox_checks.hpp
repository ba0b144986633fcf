// Checks of the outbox relay (postgres_restart_outbox): verdicts over what the worker, PostgreSQL and JetStream
// say now. Each returns check::unknown when it cannot read what it judges, never valid. stream_id_counts and
// marked_after_stored each read the whole stream once per call (its info, then first to last sequence).
#pragma once

#include "sea/fixtures/check.hpp"
#include "sea/fixtures/docker.hpp"
#include "sea/probes/jetstream_probe.hpp"

#include <map>
#include <optional>

#include <string>

namespace sea::chaos {

// The worker process that was there before the fault (same StartedAt and RestartCount) answers /readyz again.
check::Verdict same_worker_ready(const fixtures::Container& worker, const fixtures::ContainerState& before, const std::string& worker_url);

// No outbox row is left unpublished.
check::Verdict none_unpublished(const std::string& pg_conninfo);

// Every Nats-Msg-Id in `stream`, with how many messages carry it; nullopt (and `error`) when it cannot be read.
std::optional<std::map<std::string, int>> stream_id_counts(const probes::JetStreamClient& js, const std::string& stream, std::string& error);

// The outbox contract "published_at is set only after JetStream stored the row": for every row marked published
// whose id is in `stream`, published_at (PostgreSQL clock_timestamp() of the mark, µs) is not earlier than the
// server's store time of its first message (µs). Both clocks are the one host's: the correct relay's order is
// causal (store -> ack -> mark), so no tolerance is needed. Invalid is final (a mark never moves). Unknown when
// nothing could be compared.
check::Verdict marked_after_stored(const probes::JetStreamClient& js, const std::string& stream, const std::string& pg_conninfo);

}  // namespace sea::chaos

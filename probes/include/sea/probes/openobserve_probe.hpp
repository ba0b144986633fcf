// OpenObserve search probe: which of a set of span ids does the trace backend hold? Asked through
// OpenObserve's own search API, so it works against the real server and against the hermetic stand-in
// (infra/docker/otlp-sink, which implements exactly this subset).
//
// The request (OpenObserve src/api/search/src/search/mod.rs `search`, src/config/src/meta/search.rs Query):
//   POST <base>/api/<org>/_search?type=traces        Authorization: Basic base64(user:password)
//   {"query":{"sql":"SELECT span_id FROM \"<stream>\" WHERE span_id IN ('<hex>', ...)",
//             "start_time":<µs>,"end_time":<µs>,"from":<offset>,"size":<page>}}
// start_time/end_time are required and filter on _timestamp, which OpenObserve sets to the span's start
// time in µs (src/core/src/traces/mod.rs). The answer is {"hits":[{"span_id":"<hex>"},...],"total":N,...};
// without track_total_hits `total` counts the hits of this page, so paging goes on while a page is full.
// Errors are 400 {"code":<20001 SQL not valid | 20002 stream not found | 400>,"message":...,"error_detail":...}
// and 401 for bad credentials. Before the first span is ingested the traces stream does not exist (20002).
//
// Contract (as every sea::probes call): observes and returns a value; never asserts, never throws. Span ids
// are validated (16 lower-case hex digits) before they reach SQL. Ids are asked in chunks of
// `ids_per_query`; each chunk is paged with `page_size` rows until a page comes back short (a retried batch
// is stored twice, so a chunk can have more rows than ids), at most `max_pages` pages per chunk. The whole
// call is bounded by `timeout`.
#pragma once

#include "sea/probes/http_probe.hpp"

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace sea::probes {

struct OpenObserveTarget {
    std::string base_url;      // e.g. "http://127.0.0.1:5080" (no trailing path)
    std::string user;          // Basic auth user (OpenObserve's root user email)
    std::string password;
    std::string org = "default";
    std::string stream = "default";  // OTLP traces land in "default" unless a stream-name header says otherwise
};

struct SpanSearchOptions {
    std::size_t ids_per_query = 100;
    std::int64_t page_size = 500;
    std::size_t max_pages = 20;
};

struct SpanPresence {
    bool ok = false;                 // every query answered 200 with well-formed hits
    std::set<std::string> found;     // the asked span ids the backend holds (each once, however often stored)
    std::size_t rows = 0;            // rows returned in all (duplicates included)
    std::size_t queries = 0;         // HTTP requests made
    long last_status = 0;            // HTTP status of the last answer (0: none)
    std::string error;               // first problem, one line naming it ("" when ok)

    // Asked ids the backend does not hold (only meaningful when ok).
    [[nodiscard]] std::size_t missing_of(const std::vector<std::string>& asked) const;
};

// The search window covering spans that started in [from, to], in OpenObserve's µs.
std::int64_t to_unix_micros(std::chrono::system_clock::time_point t);

// The SQL text for one chunk; ids must already be valid.
std::string span_ids_sql(const std::string& stream, const std::vector<std::string>& span_ids);

// The JSON body of one search request.
std::string search_request_body(const std::string& sql, std::int64_t start_us, std::int64_t end_us, std::int64_t from,
                                std::int64_t size);

// Which of `span_ids` the backend holds among spans whose start lies in [window_start, window_end].
SpanPresence spans_present(const OpenObserveTarget& target, const std::vector<std::string>& span_ids,
                           std::chrono::system_clock::time_point window_start, std::chrono::system_clock::time_point window_end,
                           std::chrono::milliseconds timeout, const SpanSearchOptions& options = {});

}  // namespace sea::probes

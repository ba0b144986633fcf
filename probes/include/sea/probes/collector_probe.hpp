// OpenTelemetry Collector probes: Prometheus text exposition parsing/scraping and sending one
// OTLP/HTTP JSON span. Same contract as every sea::probes call: observe and return, never throw.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "sea/probes/http_probe.hpp"

namespace sea::probes {

// Key = metric name, followed by its labels sorted by label name, in exposition syntax:
//   otelcol_exporter_sent_spans{exporter="otlphttp",service_name="otelcol"}
// A sample without labels is keyed by its bare name.
using MetricMap = std::map<std::string, double>;

struct PrometheusParse {
  MetricMap metrics;
  std::vector<std::string> errors;  // one message per malformed line ("line 7: ..."); such lines are skipped
};

PrometheusParse parse_prometheus_text(const std::string& text);

// Splits a MetricMap key back into name and labels.
struct MetricKey {
  std::string name;
  std::map<std::string, std::string> labels;
};
MetricKey split_metric_key(const std::string& key);

// Sum of every sample whose name is `name`, tolerating a "_total" suffix on either side
// ("otelcol_exporter_sent_spans" also matches "otelcol_exporter_sent_spans_total" and vice
// versa), and whose labels include every pair of label_filter. 0 when nothing matches.
double sum_of(const MetricMap& metrics, const std::string& name,
              const std::map<std::string, std::string>& label_filter = {});

// True when at least one sample matches (same rules as sum_of).
bool has_metric(const MetricMap& metrics, const std::string& name);

struct ScrapeResult {
  bool ok = false;          // a 2xx response arrived (malformed lines are listed in parse_errors)
  HttpResult http;
  MetricMap metrics;
  std::vector<std::string> parse_errors;
};

ScrapeResult scrape(const std::string& url, std::chrono::milliseconds timeout);

// 32 / 16 lower-case hex digits, random, never all zero. Thread-safe.
std::string new_trace_id();
std::string new_span_id();
bool is_valid_trace_id(const std::string& hex);
bool is_valid_span_id(const std::string& hex);

// The OTLP/JSON ExportTraceServiceRequest body for one span (service.name = service_name,
// kind SERVER, start = now - 1 ms, end = now).
std::string otlp_trace_json(const std::string& trace_id_hex, const std::string& span_id_hex,
                            const std::string& span_name, const std::string& service_name = "sea-chaos-probe");

// POSTs one span to <otlp_http_base_url>/v1/traces (base like "http://127.0.0.1:4318" or
// "http://127.0.0.1:5080/api/default"; a trailing slash is tolerated) as application/json.
// Invalid ids give outcome other_error with a message naming the bad id; nothing is sent.
HttpResult send_otlp_span(const std::string& otlp_http_base_url, const std::string& trace_id_hex,
                          const std::string& span_id_hex, const std::string& span_name,
                          std::chrono::milliseconds timeout, const HttpHeaders& headers = {});

}  // namespace sea::probes

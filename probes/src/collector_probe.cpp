// Prometheus text parsing and OTLP/HTTP span sending (see sea/probes/collector_probe.hpp).
#include "sea/probes/collector_probe.hpp"

#include <cctype>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace sea::probes {
namespace {

bool is_name_char(char c, bool first) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) != 0 || c == '_' || c == ':' || (!first && std::isdigit(u) != 0);
}

std::string escape_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string make_key(const std::string& name, const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return name;
  std::string key = name + "{";
  bool first = true;
  for (const auto& [label, value] : labels) {
    if (!first) key += ',';
    first = false;
    key += fmt::format("{}=\"{}\"", label, escape_label_value(value));
  }
  return key + "}";
}

// Parses `{a="x",b="y"}` starting at text[pos] == '{'; advances pos past '}'. Returns an error or "".
std::string parse_labels(const std::string& text, size_t& pos, std::map<std::string, std::string>& labels) {
  ++pos;  // '{'
  for (;;) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == ',')) ++pos;
    if (pos >= text.size()) return "unterminated label set";
    if (text[pos] == '}') {
      ++pos;
      return {};
    }
    const size_t name_start = pos;
    while (pos < text.size() && is_name_char(text[pos], pos == name_start)) ++pos;
    const std::string label = text.substr(name_start, pos - name_start);
    if (label.empty()) return fmt::format("bad label name at column {}", pos + 1);
    if (pos >= text.size() || text[pos] != '=') return fmt::format("expected '=' after label {}", label);
    if (++pos >= text.size() || text[pos] != '"') return fmt::format("expected '\"' for label {}", label);
    ++pos;
    std::string value;
    for (;; ++pos) {
      if (pos >= text.size()) return fmt::format("unterminated value of label {}", label);
      const char c = text[pos];
      if (c == '"') break;
      if (c == '\\' && pos + 1 < text.size()) {
        const char next = text[++pos];
        value += next == 'n' ? '\n' : next;
      } else {
        value += c;
      }
    }
    ++pos;  // closing quote
    labels[label] = value;
  }
}

bool parse_value(const std::string& token, double& value) {
  if (token == "+Inf" || token == "Inf") value = std::numeric_limits<double>::infinity();
  else if (token == "-Inf") value = -std::numeric_limits<double>::infinity();
  else if (token == "NaN") value = std::numeric_limits<double>::quiet_NaN();
  else {
    try {
      size_t used = 0;
      value = std::stod(token, &used);
      return used == token.size();
    } catch (const std::exception&) {
      return false;
    }
  }
  return true;
}

std::string strip_total(const std::string& name) {
  constexpr std::string_view suffix = "_total";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return name.substr(0, name.size() - suffix.size());
  }
  return name;
}

std::string random_hex(size_t digits) {
  thread_local std::mt19937_64 engine{std::random_device{}() ^ (static_cast<uint64_t>(std::random_device{}()) << 32)};
  std::string out;
  while (out.size() < digits) out += fmt::format("{:016x}", engine());
  out.resize(digits);
  if (out.find_first_not_of('0') == std::string::npos) out.back() = '1';  // all-zero ids are invalid
  return out;
}

bool is_lower_hex(const std::string& text, size_t digits) {
  if (text.size() != digits) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return text.find_first_not_of('0') != std::string::npos;
}

}  // namespace

PrometheusParse parse_prometheus_text(const std::string& text) {
  PrometheusParse out;
  size_t line_start = 0;
  int line_number = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t pos = line.find_first_not_of(" \t");
    if (pos == std::string::npos || line[pos] == '#') continue;
    const size_t name_start = pos;
    while (pos < line.size() && is_name_char(line[pos], pos == name_start)) ++pos;
    const std::string name = line.substr(name_start, pos - name_start);
    if (name.empty()) {
      out.errors.push_back(fmt::format("line {}: bad metric name", line_number));
      continue;
    }
    std::map<std::string, std::string> labels;
    if (pos < line.size() && line[pos] == '{') {
      if (auto error = parse_labels(line, pos, labels); !error.empty()) {
        out.errors.push_back(fmt::format("line {}: {}", line_number, error));
        continue;
      }
    }
    const size_t value_start = line.find_first_not_of(" \t", pos);
    if (value_start == std::string::npos || value_start == pos) {
      out.errors.push_back(fmt::format("line {}: missing value for {}", line_number, name));
      continue;
    }
    const size_t value_end = line.find_first_of(" \t", value_start);
    const std::string token = line.substr(value_start, value_end == std::string::npos ? std::string::npos : value_end - value_start);
    double value = 0;
    if (!parse_value(token, value)) {
      out.errors.push_back(fmt::format("line {}: bad value '{}' for {}", line_number, token, name));
      continue;
    }
    out.metrics[make_key(name, labels)] = value;
  }
  return out;
}

MetricKey split_metric_key(const std::string& key) {
  MetricKey out;
  const auto brace = key.find('{');
  out.name = key.substr(0, brace);
  if (brace != std::string::npos) {
    size_t pos = brace;
    parse_labels(key, pos, out.labels);
  }
  return out;
}

double sum_of(const MetricMap& metrics, const std::string& name, const std::map<std::string, std::string>& label_filter) {
  const std::string wanted = strip_total(name);
  double sum = 0;
  for (const auto& [key, value] : metrics) {
    const auto parsed = split_metric_key(key);
    if (strip_total(parsed.name) != wanted) continue;
    bool labels_match = true;
    for (const auto& [label, expected] : label_filter) {
      const auto found = parsed.labels.find(label);
      if (found == parsed.labels.end() || found->second != expected) labels_match = false;
    }
    if (labels_match && !std::isnan(value)) sum += value;
  }
  return sum;
}

bool has_metric(const MetricMap& metrics, const std::string& name) {
  const std::string wanted = strip_total(name);
  for (const auto& entry : metrics) {
    if (strip_total(split_metric_key(entry.first).name) == wanted) return true;
  }
  return false;
}

ScrapeResult scrape(const std::string& url, std::chrono::milliseconds timeout) {
  ScrapeResult out;
  out.http = http_get(url, timeout);
  if (!out.http.ok()) return out;
  auto parsed = parse_prometheus_text(out.http.body);
  out.metrics = std::move(parsed.metrics);
  out.parse_errors = std::move(parsed.errors);
  out.ok = true;
  return out;
}

std::string new_trace_id() { return random_hex(32); }
std::string new_span_id() { return random_hex(16); }
bool is_valid_trace_id(const std::string& hex) { return is_lower_hex(hex, 32); }
bool is_valid_span_id(const std::string& hex) { return is_lower_hex(hex, 16); }

std::string otlp_trace_json(const std::string& trace_id_hex, const std::string& span_id_hex,
                            const std::string& span_name, const std::string& service_name) {
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const auto start_ns = now_ns - 1'000'000;
  nlohmann::json span = {
      {"traceId", trace_id_hex},
      {"spanId", span_id_hex},
      {"name", span_name},
      {"kind", 2},  // SPAN_KIND_SERVER
      {"startTimeUnixNano", std::to_string(start_ns)},
      {"endTimeUnixNano", std::to_string(now_ns)},
      {"attributes", nlohmann::json::array({{{"key", "sea.probe"}, {"value", {{"boolValue", true}}}}})},
  };
  nlohmann::json body = {
      {"resourceSpans",
       nlohmann::json::array({{
           {"resource", {{"attributes", nlohmann::json::array({{{"key", "service.name"},
                                                                 {"value", {{"stringValue", service_name}}}}})}}},
           {"scopeSpans", nlohmann::json::array({{{"scope", {{"name", "sea-chaos"}}},
                                                   {"spans", nlohmann::json::array({span})}}})},
       }})},
  };
  return body.dump();
}

HttpResult send_otlp_span(const std::string& otlp_http_base_url, const std::string& trace_id_hex,
                          const std::string& span_id_hex, const std::string& span_name,
                          std::chrono::milliseconds timeout, const HttpHeaders& headers) {
  HttpResult invalid;
  if (!is_valid_trace_id(trace_id_hex)) {
    invalid.error = fmt::format("bad trace id '{}': need 32 lower-case hex digits, not all zero", trace_id_hex);
    return invalid;
  }
  if (!is_valid_span_id(span_id_hex)) {
    invalid.error = fmt::format("bad span id '{}': need 16 lower-case hex digits, not all zero", span_id_hex);
    return invalid;
  }
  std::string base = otlp_http_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return http_post(base + "/v1/traces", otlp_trace_json(trace_id_hex, span_id_hex, span_name), "application/json",
                   timeout, headers);
}

}  // namespace sea::probes

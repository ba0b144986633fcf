// Strict parser of the mesh's stream definitions and the server read-back comparison (see mesh_streams.hpp).
#include "mesh_streams.hpp"

#include "sea/fixtures/env.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <functional>
#include <map>
#include <sstream>

namespace sea::chaos {
namespace {

using Json = nlohmann::json;
constexpr const char* kVariable = "SEA_MESH_STREAMS_FILE";

// Every key a stream may hold, in the order the header documents them.
const std::vector<std::string>& known_keys() {
    static const std::vector<std::string> keys = {"domain",       "name",     "subjects",           "replicas",  "storage",
                                                  "retention",    "discard",  "max_msgs",           "max_bytes", "max_msgs_per_subject",
                                                  "max_msg_size", "max_age_s", "duplicates_window_s", "source",   "external_api",
                                                  "placement_tags", "_comment"};
    return keys;
}

std::string type_name(const Json& j) {
    if (j.is_number_integer()) return "an integer";
    if (j.is_number_float()) return "a fraction";
    return std::string("a ") + j.type_name();
}

class Reader {
public:
    Reader(std::string origin, std::string where, const Json& object) : origin_(std::move(origin)), where_(std::move(where)), j_(object) {}

    [[noreturn]] void fail(const std::string& key, const std::string& problem, const std::string& fix) const {
        throw fixtures::ConfigError(fixtures::bad_input_line(kVariable, fmt::format("{}: {}{}{}: {}", origin_, where_, key.empty() ? "" : ".", key, problem),
                                                             fix));
    }
    [[noreturn]] void wrong_type(const std::string& key, const std::string& expected) const {
        fail(key, fmt::format("expected {}, got {} ({})", expected, type_name(j_.at(key)), j_.at(key).dump()),
             "write " + expected + " there (see tests/chaos/mesh_streams.hpp for every key)");
    }

    bool has(const std::string& key) const { return j_.contains(key); }

    std::string text(const std::string& key) const {
        if (!j_.at(key).is_string()) wrong_type(key, "a string");
        return j_.at(key).get<std::string>();
    }
    std::string required_text(const std::string& key) const {
        if (!has(key)) fail(key, "missing", "add \"" + key + "\": \"...\"");
        const auto value = text(key);
        if (value.empty()) fail(key, "empty", "give it a value");
        return value;
    }
    int64_t integer(const std::string& key, int64_t min, int64_t max) const {
        const auto& v = j_.at(key);
        if (!v.is_number_integer()) wrong_type(key, fmt::format("an integer in {}..{}", min, max));
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(max)) {
            fail(key, fmt::format("{} is out of range {}..{}", v.dump(), min, max), fmt::format("use a value in {}..{}", min, max));
        }
        const auto value = v.get<int64_t>();
        if (value < min || value > max) fail(key, fmt::format("{} is out of range {}..{}", value, min, max), fmt::format("use a value in {}..{}", min, max));
        return value;
    }
    std::chrono::nanoseconds seconds(const std::string& key, bool zero_allowed) const {
        const auto& v = j_.at(key);
        const char* expected = zero_allowed ? "a number of seconds >= 0" : "a number of seconds > 0";
        if (!v.is_number()) wrong_type(key, expected);
        const double s = v.get<double>();
        if (!std::isfinite(s) || s < 0 || (!zero_allowed && s == 0) || s > 1e9) fail(key, fmt::format("{} is out of range", v.dump()), std::string("use ") + expected);
        return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(s * 1e9)));
    }
    std::string choice(const std::string& key, const std::vector<std::string>& allowed) const {
        const auto value = text(key);
        if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
            fail(key, fmt::format("'{}' is not one of {}", value, fmt::join(allowed, ", ")), "use one of those");
        }
        return value;
    }
    std::vector<std::string> texts(const std::string& key) const {
        const auto& v = j_.at(key);
        if (!v.is_array()) wrong_type(key, "an array of strings");
        std::vector<std::string> out;
        for (const auto& item : v) {
            if (!item.is_string() || item.get<std::string>().empty()) wrong_type(key, "an array of non-empty strings");
            out.push_back(item.get<std::string>());
        }
        return out;
    }

    void reject_unknown_keys() const {
        const auto& known = known_keys();
        for (const auto& [key, value] : j_.items()) {
            if (std::find(known.begin(), known.end(), key) != known.end()) continue;
            std::string hint;
            for (const auto& k : known) {
                if (k == key + "_s" || k + "_s" == key || k == key + "s" || k + "s" == key) hint = fmt::format(" (did you mean '{}'?)", k);
            }
            fail(key, fmt::format("unknown key{}; a stream holds only {}", hint, fmt::join(known, ", ")),
                 "remove it or use one of those keys (units: *_s are seconds)");
        }
    }

private:
    std::string origin_, where_;
    const Json& j_;
};

MeshStream to_stream(const std::string& origin, const std::string& where, const Json& j) {
    if (!j.is_object()) {
        throw fixtures::ConfigError(fixtures::bad_input_line(kVariable, fmt::format("{}: {}: expected an object, got {}", origin, where, type_name(j)),
                                                             "write the stream as {\"domain\": ..., \"name\": ..., ...}"));
    }
    const Reader r(origin, where, j);
    r.reject_unknown_keys();
    MeshStream s;
    s.where = where;
    for (const auto& [key, value] : j.items()) {
        if (key != "_comment") s.keys.insert(key);
    }
    if (r.has("_comment")) (void)r.text("_comment");
    s.domain = r.required_text("domain");
    auto& c = s.config;
    c.name = r.required_text("name");
    if (r.has("subjects")) c.subjects = r.texts("subjects");
    if (r.has("replicas")) c.replicas = static_cast<int>(r.integer("replicas", 1, 5));
    if (r.has("storage")) c.storage = r.choice("storage", {"file", "memory"}) == "memory" ? probes::StreamStorage::memory : probes::StreamStorage::file;
    if (r.has("retention")) {
        const auto v = r.choice("retention", {"limits", "interest", "workqueue"});
        c.retention = v == "interest" ? probes::StreamRetention::interest : v == "workqueue" ? probes::StreamRetention::workqueue : probes::StreamRetention::limits;
    }
    if (r.has("discard")) c.discard = r.choice("discard", {"old", "new"}) == "new" ? probes::StreamDiscard::new_messages : probes::StreamDiscard::old_messages;
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    if (r.has("max_msgs")) c.max_msgs = r.integer("max_msgs", -1, kMax);
    if (r.has("max_bytes")) c.max_bytes = r.integer("max_bytes", -1, kMax);
    if (r.has("max_msgs_per_subject")) c.max_msgs_per_subject = r.integer("max_msgs_per_subject", -1, kMax);
    if (r.has("max_msg_size")) c.max_msg_size = static_cast<int32_t>(r.integer("max_msg_size", -1, std::numeric_limits<int32_t>::max()));
    if (r.has("max_age_s")) c.max_age = r.seconds("max_age_s", true);
    if (r.has("placement_tags")) c.placement_tags = r.texts("placement_tags");
    c.duplicates_window = r.has("duplicates_window_s") ? r.seconds("duplicates_window_s", false) : std::chrono::nanoseconds(std::chrono::seconds(120));
    if (c.max_age.count() > 0 && c.duplicates_window > c.max_age) {
        r.fail("duplicates_window_s", "is longer than max_age_s (the server refuses that)", "make duplicates_window_s <= max_age_s");
    }
    if (r.has("source")) {
        c.mirror = probes::StreamMirror{r.required_text("source"), r.has("external_api") ? r.text("external_api") : std::string()};
        if (!c.subjects.empty()) r.fail("subjects", "a mirror (\"source\" is set) takes no subjects", "remove \"subjects\" or \"source\"");
    } else if (r.has("external_api")) {
        r.fail("external_api", "set without \"source\" (it only applies to a mirror)", "add \"source\" or remove \"external_api\"");
    }
    return s;
}

std::string seconds_text(std::chrono::nanoseconds ns) { return fmt::format("{:g}", static_cast<double>(ns.count()) / 1e9); }

const char* to_text(probes::StreamStorage v) { return v == probes::StreamStorage::memory ? "memory" : "file"; }
const char* to_text(probes::StreamRetention v) {
    return v == probes::StreamRetention::interest ? "interest" : v == probes::StreamRetention::workqueue ? "workqueue" : "limits";
}
const char* to_text(probes::StreamDiscard v) { return v == probes::StreamDiscard::new_messages ? "new" : "old"; }

}  // namespace

MeshStreams parse_mesh_streams(const std::string& text, const std::string& origin) {
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const Json::parse_error& e) {
        throw fixtures::ConfigError(fixtures::bad_input_line(kVariable, fmt::format("{}: not valid JSON (byte {}): {}", origin, e.byte, e.what()),
                                                             "fix the JSON"));
    }
    if (!doc.is_object()) {
        throw fixtures::ConfigError(fixtures::bad_input_line(kVariable, fmt::format("{}: expected a {{source, mirror}} object, got {}", origin, type_name(doc)),
                                                             "write {\"source\": {...}, \"mirror\": {...}}"));
    }
    for (const auto& [key, value] : doc.items()) {
        if (key != "source" && key != "mirror" && key != "_comment") {
            throw fixtures::ConfigError(fixtures::bad_input_line(kVariable, fmt::format("{}: {}: unknown top-level key; the file holds only source, mirror, _comment", origin, key),
                                                                 "remove it"));
        }
    }
    for (const char* part : {"source", "mirror"}) {
        if (!doc.contains(part)) {
            throw fixtures::ConfigError(fixtures::bad_input_line(kVariable, fmt::format("{}: {}: missing", origin, part),
                                                                 fmt::format("add \"{}\": {{...}}", part)));
        }
    }
    return MeshStreams{to_stream(origin, "source", doc.at("source")), to_stream(origin, "mirror", doc.at("mirror"))};
}

MeshStreams load_mesh_streams() {
    const auto path = fixtures::env_or(kVariable, (fixtures::repo_root() / "infra/nats/mesh/streams.json").string());
    std::ifstream in(path);
    if (!in) {
        throw fixtures::ConfigError(fixtures::bad_input_line(kVariable, fmt::format("cannot read '{}'", path),
                                                             "name an existing streams file (like infra/nats/mesh/streams.json) or unset it"));
    }
    std::stringstream text;
    text << in.rdbuf();
    return parse_mesh_streams(text.str(), path);
}

std::vector<std::string> stream_config_mismatches(const MeshStream& stream, const probes::StreamConfig& server) {
    const auto& file = stream.config;
    std::vector<std::string> out;
    auto compare = [&](const std::string& key, const std::string& want, const std::string& got) {
        if (stream.keys.count(key) != 0 && want != got) out.push_back(fmt::format("{}.{}: file {}, server {}", stream.where, key, want, got));
    };
    auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return fmt::format("[{}]", fmt::join(v, ", "));
    };
    compare("name", file.name, server.name);
    compare("subjects", sorted(file.subjects), sorted(server.subjects));
    compare("replicas", std::to_string(file.replicas), std::to_string(server.replicas));
    compare("storage", to_text(file.storage), to_text(server.storage));
    compare("retention", to_text(file.retention), to_text(server.retention));
    compare("discard", to_text(file.discard), to_text(server.discard));
    compare("max_msgs", std::to_string(file.max_msgs), std::to_string(server.max_msgs));
    compare("max_bytes", std::to_string(file.max_bytes), std::to_string(server.max_bytes));
    compare("max_msgs_per_subject", std::to_string(file.max_msgs_per_subject), std::to_string(server.max_msgs_per_subject));
    compare("max_msg_size", std::to_string(file.max_msg_size), std::to_string(server.max_msg_size));
    compare("max_age_s", seconds_text(file.max_age), seconds_text(server.max_age));
    compare("duplicates_window_s", seconds_text(file.duplicates_window), seconds_text(server.duplicates_window));
    compare("placement_tags", sorted(file.placement_tags), sorted(server.placement_tags));
    compare("source", file.mirror ? file.mirror->source_name : "(none)", server.mirror ? server.mirror->source_name : "(none)");
    compare("external_api", file.mirror ? file.mirror->external_api_prefix : "(none)",
            server.mirror ? server.mirror->external_api_prefix : "(none)");
    return out;
}

fixtures::Observation stream_matches_file(const probes::JetStreamClient& client, const MeshStream& stream) {
    const auto read = client.stream_config(stream.config.name, std::chrono::seconds(3));
    if (!read.ok) return {false, "read back: " + read.error};
    const auto mismatches = stream_config_mismatches(stream, read.config);
    if (mismatches.empty()) return {true, fmt::format("{} key(s) of {} as the file says", stream.keys.size(), stream.config.name)};
    return {false, fmt::format("the server does not hold the file's value: {}", fmt::join(mismatches, "; "))};
}

}  // namespace sea::chaos

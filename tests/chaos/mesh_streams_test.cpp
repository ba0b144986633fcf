// SEA_MESH_STREAMS_FILE parser: unknown keys and wrong types are errors naming the key; every key lands in
// the probe config (in the units cnats wants); the read-back comparison names each key the server disagrees on.
#include "mesh_streams.hpp"

#include "sea/fixtures/env.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace std::chrono_literals;
using sea::chaos::parse_mesh_streams;
using Json = nlohmann::json;

Json base() {
    return Json::parse(R"({
      "_comment": "test",
      "source": {"domain": "sea-a", "name": "SEA_EVENTS", "subjects": ["sea.event.>"], "replicas": 3, "storage": "file",
                 "max_msgs": -1, "max_bytes": 268435456, "duplicates_window_s": 120},
      "mirror": {"domain": "sea-b", "name": "SEA_EVENTS_MIRROR", "source": "SEA_EVENTS", "external_api": "$JS.sea-a.API",
                 "replicas": 3, "storage": "file", "max_bytes": 268435456}
    })");
}

std::string error_of(const Json& doc) {
    try {
        (void)parse_mesh_streams(doc.dump(), "streams.json");
    } catch (const sea::fixtures::ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(MeshStreams, TheShippedFileAndTheMutantVariantsParse) {
    for (const char* file : {"infra/nats/mesh/streams.json", "tests/mutants/variants/streams-source-discards.json",
                             "tests/mutants/variants/streams-source-in-sea-b.json"}) {
        ::setenv("SEA_MESH_STREAMS_FILE", (sea::fixtures::repo_root() / file).c_str(), 1);
        EXPECT_NO_THROW((void)sea::chaos::load_mesh_streams()) << file;
    }
    ::unsetenv("SEA_MESH_STREAMS_FILE");
}

TEST(MeshStreams, UnknownKeyIsAnErrorNamingTheKey) {
    auto doc = base();
    doc["source"]["max_age"] = 3600;
    const auto text = error_of(doc);
    EXPECT_EQ(text.rfind("BAD INPUT: SEA_MESH_STREAMS_FILE: streams.json: source.max_age: unknown key (did you mean 'max_age_s'?)", 0), 0u)
        << text;
    EXPECT_EQ(text.find('\n'), std::string::npos) << "one line: " << text;

    auto top = base();
    top["mirrors"] = Json::object();
    EXPECT_NE(error_of(top).find("mirrors: unknown top-level key"), std::string::npos) << error_of(top);
}

TEST(MeshStreams, WrongTypesAndValuesAreErrorsNamingTheKey) {
    const std::vector<std::pair<std::string, Json>> cases = {
        {"max_msgs", "20"},           {"max_msgs", 2.5},        {"replicas", 0},          {"replicas", 7},
        {"storage", "disk"},          {"retention", "forever"}, {"discard", true},        {"subjects", "sea.event.>"},
        {"max_age_s", -1},            {"max_age_s", "1h"},      {"duplicates_window_s", 0}, {"max_msg_size", 4294967296LL},
        {"name", ""},                 {"domain", 5},            {"max_bytes", -2},        {"placement_tags", "sea-nats-a-1"},
    };
    for (const auto& [key, value] : cases) {
        auto doc = base();
        doc["source"][key] = value;
        const auto text = error_of(doc);
        EXPECT_NE(text.find("SEA_MESH_STREAMS_FILE: streams.json: source." + key + ": "), std::string::npos) << key << "=" << value << " -> "
                                                                                                          << text;
    }
    auto no_domain = base();
    no_domain["mirror"].erase("domain");
    EXPECT_NE(error_of(no_domain).find("mirror.domain: missing"), std::string::npos) << error_of(no_domain);
    auto window_over_age = base();
    window_over_age["source"]["max_age_s"] = 60;
    EXPECT_NE(error_of(window_over_age).find("source.duplicates_window_s: is longer than max_age_s"), std::string::npos);
    EXPECT_NE(error_of(Json::array()).find("expected a {source, mirror} object"), std::string::npos);
    try {
        (void)parse_mesh_streams("{\"source\": ", "broken.json");
        ADD_FAILURE() << "broken JSON parsed";
    } catch (const sea::fixtures::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("broken.json: not valid JSON"), std::string::npos) << e.what();
    }
}

TEST(MeshStreams, EveryKeyIsAppliedInCnatsUnits) {
    auto doc = base();
    doc["source"]["retention"] = "interest";
    doc["source"]["discard"] = "new";
    doc["source"]["max_msgs"] = 1000;
    doc["source"]["max_msgs_per_subject"] = 10;
    doc["source"]["max_msg_size"] = 65536;
    doc["source"]["max_age_s"] = 3600;
    doc["source"]["duplicates_window_s"] = 1.5;
    doc["source"]["storage"] = "memory";
    doc["source"]["placement_tags"] = {"sea-nats-a-1"};
    const auto s = parse_mesh_streams(doc.dump(), "x").source;
    EXPECT_EQ(s.domain, "sea-a");
    EXPECT_EQ(s.config.name, "SEA_EVENTS");
    EXPECT_EQ(s.config.subjects, std::vector<std::string>{"sea.event.>"});
    EXPECT_EQ(s.config.replicas, 3);
    EXPECT_EQ(s.config.storage, sea::probes::StreamStorage::memory);
    EXPECT_EQ(s.config.retention, sea::probes::StreamRetention::interest);
    EXPECT_EQ(s.config.discard, sea::probes::StreamDiscard::new_messages);
    EXPECT_EQ(s.config.max_msgs, 1000);
    EXPECT_EQ(s.config.max_bytes, 268435456);
    EXPECT_EQ(s.config.max_msgs_per_subject, 10);
    EXPECT_EQ(s.config.max_msg_size, 65536);
    EXPECT_EQ(s.config.max_age.count(), 3600'000'000'000LL);          // nanoseconds
    EXPECT_EQ(s.config.duplicates_window.count(), 1'500'000'000LL);   // nanoseconds
    EXPECT_EQ(s.config.placement_tags, std::vector<std::string>{"sea-nats-a-1"});
    EXPECT_FALSE(s.config.mirror);
    const auto m = parse_mesh_streams(doc.dump(), "x").mirror;
    ASSERT_TRUE(m.config.mirror);
    EXPECT_EQ(m.config.mirror->source_name, "SEA_EVENTS");
    EXPECT_EQ(m.config.mirror->external_api_prefix, "$JS.sea-a.API");
    EXPECT_EQ(s.keys.size(), 14u) << "every key but _comment is remembered for the read-back";
}

TEST(MeshStreams, ReadBackNamesEveryKeyTheServerDisagreesOn) {
    auto doc = base();
    doc["source"]["max_age_s"] = 3600;
    const auto s = parse_mesh_streams(doc.dump(), "x").source;
    EXPECT_TRUE(sea::chaos::stream_config_mismatches(s, s.config).empty());
    auto server = s.config;
    server.max_age = 0ns;   // what a server that ignored the key would hold
    server.replicas = 1;
    server.max_msg_size = 5;  // not stated in the file: not compared
    const auto mismatches = sea::chaos::stream_config_mismatches(s, server);
    ASSERT_EQ(mismatches.size(), 2u);
    EXPECT_EQ(mismatches[0], "source.replicas: file 3, server 1");
    EXPECT_EQ(mismatches[1], "source.max_age_s: file 3600, server 0");
}

}  // namespace

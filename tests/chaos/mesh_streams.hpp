// The mesh's stream definitions (infra/nats/mesh/streams.json, or the file named by SEA_MESH_STREAMS_FILE —
// which is how a broken variant of the platform's stream config is selected) turned into probe configs.
#pragma once

#include "sea/fixtures/env.hpp"
#include "sea/probes/jetstream_probe.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace sea::chaos {

struct MeshStream {
    std::string domain;
    probes::StreamConfig config;
};

struct MeshStreams {
    MeshStream source;
    MeshStream mirror;
};

inline MeshStreams load_mesh_streams() {
    const auto path = fixtures::env_or("SEA_MESH_STREAMS_FILE", (fixtures::repo_root() / "infra/nats/mesh/streams.json").string());
    std::ifstream in(path);
    if (!in) throw fixtures::ConfigError("SEA_MESH_STREAMS_FILE: cannot read '" + path + "'");
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_object() || !doc.contains("source") || !doc.contains("mirror")) {
        throw fixtures::ConfigError("SEA_MESH_STREAMS_FILE: '" + path + "' is not a {source, mirror} JSON document");
    }
    const auto to_stream = [](const nlohmann::json& j) {
        MeshStream s;
        s.domain = j.at("domain").get<std::string>();
        s.config.name = j.at("name").get<std::string>();
        s.config.subjects = j.value("subjects", std::vector<std::string>{});
        s.config.replicas = j.value("replicas", 1);
        s.config.storage = j.value("storage", std::string("file")) == "memory" ? probes::StreamStorage::memory : probes::StreamStorage::file;
        s.config.max_msgs = j.value("max_msgs", static_cast<int64_t>(-1));
        s.config.max_bytes = j.value("max_bytes", static_cast<int64_t>(-1));
        s.config.duplicates_window = std::chrono::seconds(j.value("duplicates_window_s", 120));
        if (j.contains("source")) {
            s.config.mirror = probes::StreamMirror{j.at("source").get<std::string>(), j.value("external_api", std::string())};
        }
        return s;
    };
    return MeshStreams{to_stream(doc.at("source")), to_stream(doc.at("mirror"))};
}

}  // namespace sea::chaos

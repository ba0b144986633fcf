// The mesh's stream definitions (infra/nats/mesh/streams.json, or the file named by SEA_MESH_STREAMS_FILE —
// which is how a broken variant of the platform's stream config is selected) turned into probe configs, and
// checked against what the server stored.
//
// Contracts:
//  * The file is {"source": {...}, "mirror": {...}} (plus an optional "_comment"). Each stream holds only
//    these keys, each applied to the stream through ensure_stream (cnats jsStreamConfig):
//      domain (string, required)        JetStream domain the stream is created in
//      name (string, required)          stream name
//      subjects ([string])              Subjects (a mirror has none)
//      replicas (integer 1..5)          Replicas
//      storage ("file" | "memory")      Storage
//      retention ("limits" | "interest" | "workqueue")   Retention
//      discard ("old" | "new")          Discard
//      max_msgs, max_bytes, max_msgs_per_subject (integer >= -1; -1 = unlimited)
//      max_msg_size (integer -1..2^31-1)
//      max_age_s (number >= 0, seconds; 0 = unlimited)   MaxAge, sent in nanoseconds
//      duplicates_window_s (number > 0, seconds)         Duplicates, sent in nanoseconds (default 120)
//      source (string)                  makes the stream a mirror of that stream
//      external_api (string)            the mirror's External.APIPrefix (another domain), needs "source"
//      placement_tags ([string])        Placement.Tags: only servers whose server_tags hold them all host it
//                                       (cluster-a.conf tags each node with its own name)
//      _comment (string)                ignored
//  * Any other key, a wrong type or an out-of-range value throws ConfigError naming the file, the key and the
//    fix ("BAD INPUT: SEA_MESH_STREAMS_FILE: <file>: source.max_age: unknown key ..."). Nothing is applied then.
//  * stream_config_mismatches(stream, server) names every key the FILE states whose value the server does not
//    hold ("max_age_s: file 3600, server 0"); empty = the server holds the file's configuration.
#pragma once

#include "sea/fixtures/eventually.hpp"
#include "sea/probes/jetstream_probe.hpp"

#include <set>
#include <string>
#include <vector>

namespace sea::chaos {

struct MeshStream {
    std::string domain;
    probes::StreamConfig config;
    std::set<std::string> keys;  // the keys the file states for this stream
    std::string where;           // "source" or "mirror", for messages
};

struct MeshStreams {
    MeshStream source;
    MeshStream mirror;
};

// Parses the text of a streams file; `origin` names it in messages. Throws ConfigError (see above).
MeshStreams parse_mesh_streams(const std::string& text, const std::string& origin);

// Reads SEA_MESH_STREAMS_FILE (default <repo>/infra/nats/mesh/streams.json) and parses it.
MeshStreams load_mesh_streams();

// Keys the file states whose values the server does not hold, as "<where>.<key>: file X, server Y".
std::vector<std::string> stream_config_mismatches(const MeshStream& stream, const probes::StreamConfig& server);

// Reads the stream's configuration back from the server and compares it with the file (a probe: never throws).
fixtures::Observation stream_matches_file(const probes::JetStreamClient& client, const MeshStream& stream);

}  // namespace sea::chaos

// SEA_MESH_STREAMS_FILE against a real nats-server: a file stating every key is applied by ensure_stream and
// read back unchanged (stream_matches_file holds); a stream the server holds differently is named key by key.
#include "mesh_streams.hpp"

#include "sea/testsupport/binaries.hpp"
#include "sea/testsupport/local_nats.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
namespace ts = sea::testsupport;

class MeshStreamsServer : public ::testing::Test {
protected:
    void SetUp() override {
        SEA_REQUIRE_BINARY(ts::nats_server_binary(), "nats-server");
        ts::LocalNatsOptions options;
        options.domain = "hub";  // the mirror reaches its source through $JS.hub.API, like the mesh's cross-domain mirror
        options.extra_config = "server_tags: [\"hub-node\"]\n";  // what placement_tags names (cluster-a.conf: each node's name)
        nats_ = std::make_unique<ts::LocalNats>(options);
        sea::probes::JetStreamClientOptions client_options;
        client_options.domain = "hub";
        auto connected = sea::probes::JetStreamClient::connect(nats_->url(), 2000ms, client_options);
        ASSERT_TRUE(connected) << connected.error;
        client_.emplace(std::move(*connected.client));
    }
    std::unique_ptr<ts::LocalNats> nats_;
    std::optional<sea::probes::JetStreamClient> client_;
};

// Every key of the file format, with non-default values (one server: replicas 1, the mirror in the same domain).
constexpr const char* kEveryKey = R"({
  "source": {"domain": "hub", "name": "ALLKEYS", "subjects": ["all.keys.>"], "replicas": 1, "storage": "memory",
             "retention": "limits", "discard": "new", "max_msgs": 1000, "max_bytes": 1048576, "max_msgs_per_subject": 50,
             "max_msg_size": 4096, "max_age_s": 3600, "duplicates_window_s": 30, "placement_tags": ["hub-node"]},
  "mirror": {"domain": "hub", "name": "ALLKEYS_MIRROR", "source": "ALLKEYS", "external_api": "$JS.hub.API", "replicas": 1,
             "storage": "file", "retention": "limits", "discard": "old", "max_msgs": 2000, "max_bytes": 2097152,
             "max_msgs_per_subject": 60, "max_msg_size": 8192, "max_age_s": 7200}
})";

TEST_F(MeshStreamsServer, EveryKeyIsAppliedAndReadBack) {
    const auto streams = sea::chaos::parse_mesh_streams(kEveryKey, "every-key.json");
    for (const auto* stream : {&streams.source, &streams.mirror}) {
        const auto created = client_->ensure_stream(stream->config, 5s);
        ASSERT_TRUE(created.ok) << created.error;
        const auto matches = sea::chaos::stream_matches_file(*client_, *stream);
        EXPECT_TRUE(matches.met) << matches.observed;
    }
}

TEST_F(MeshStreamsServer, AStreamTheServerHoldsDifferentlyIsNamedByKey) {
    auto streams = sea::chaos::parse_mesh_streams(kEveryKey, "every-key.json");
    auto applied = streams.source.config;
    applied.max_age = 0ns;  // as if the key had been ignored (the bug this check exists for)
    applied.max_msgs = 999;
    ASSERT_TRUE(client_->ensure_stream(applied, 5s).ok);
    const auto matches = sea::chaos::stream_matches_file(*client_, streams.source);
    EXPECT_FALSE(matches.met);
    EXPECT_NE(matches.observed.find("source.max_age_s: file 3600, server 0"), std::string::npos) << matches.observed;
    EXPECT_NE(matches.observed.find("source.max_msgs: file 1000, server 999"), std::string::npos) << matches.observed;
}

}  // namespace

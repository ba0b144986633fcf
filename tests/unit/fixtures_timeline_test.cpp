// Timeline: phase order, counters, time to recover, thread safety, JSON output.
#include "sea/fixtures/timeline.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

using namespace std::chrono_literals;
using sea::fixtures::Timeline;

TEST(FixturesTimeline, PhasesInOrderAcceptsSubsequencesOnly) {
    Timeline t("order");
    for (const char* p : {"steady", "inject", "degraded", "heal", "recovered"}) t.phase(p);
    EXPECT_TRUE(t.phases_in_order({"steady", "heal", "recovered"}));
    EXPECT_TRUE(t.phases_in_order({}));
    EXPECT_FALSE(t.phases_in_order({"heal", "inject"}));
    EXPECT_FALSE(t.phases_in_order({"steady", "missing"}));
    EXPECT_EQ(t.phase_names().size(), 5u);
}

TEST(FixturesTimeline, CountersAggregateConcurrentEvents) {
    Timeline t("threads", 100);
    std::vector<std::thread> threads;
    for (int n = 0; n < 4; ++n) {
        threads.emplace_back([&t, n] {
            for (int i = 0; i < 250; ++i) t.event("http", i % 5 != 0, std::chrono::microseconds(100 + n), "");
        });
    }
    for (auto& th : threads) th.join();
    const auto c = t.counters("http");
    EXPECT_EQ(c.ok, 800u);
    EXPECT_EQ(c.fail, 200u);
    EXPECT_EQ(c.latency_min, std::chrono::microseconds(100));
    EXPECT_EQ(c.latency_max, std::chrono::microseconds(103));
    const auto j = t.to_json();
    EXPECT_EQ(j["events"].size(), 100u);
    EXPECT_EQ(j["events_dropped"].get<int>(), 900);
    EXPECT_EQ(t.counters("unknown").ok, 0u);
}

TEST(FixturesTimeline, TimeToRecoverIsHealToRecovered) {
    Timeline t("ttr");
    EXPECT_FALSE(t.time_to_recover());
    t.fault_inject_started("ContainerRestart sea-opa");
    t.fault_inject_finished();
    t.fault_healed();
    std::this_thread::sleep_for(30ms);  // the subject of this test: time passes between heal and recovered
    t.recovered();
    ASSERT_TRUE(t.time_to_recover());
    EXPECT_GE(*t.time_to_recover(), 29ms);
    EXPECT_LT(*t.time_to_recover(), 500ms);
}

TEST(FixturesTimeline, WriteJsonContainsEverySection) {
    Timeline t("json");
    t.phase("steady");
    t.event("nats", true, 1500us, "pub ok");
    t.fault_inject_started("IptablesPartition sea-nats tcp/4222");
    t.invariant("no message lost", 5000ms, 1200ms, true, "sent=100 received=100");
    t.invariant("latency bound", 1000ms, std::nullopt, false, "p99=2300ms");
    const auto path = std::filesystem::temp_directory_path() / ("sea-timeline-" + std::to_string(::getpid())) / "timeline.json";
    t.write_json(path);
    std::ifstream in(path);
    const auto j = nlohmann::json::parse(in);
    EXPECT_EQ(j["scenario"], "json");
    EXPECT_EQ(j["phases"][0]["name"], "steady");
    EXPECT_TRUE(j["phases"][0]["wall"].get<std::string>().ends_with("Z"));
    EXPECT_EQ(j["events"][0]["latency_us"], 1500);
    EXPECT_EQ(j["counters"]["nats"]["ok"], 1);
    EXPECT_EQ(j["fault"]["description"], "IptablesPartition sea-nats tcp/4222");
    EXPECT_TRUE(j["fault"]["healed_ms"].is_null());
    EXPECT_EQ(j["invariants"][0]["verdict"], "pass");
    EXPECT_EQ(j["invariants"][1]["met_at_ms"], nullptr);
    EXPECT_EQ(j["invariants"][1]["verdict"], "fail");
    std::filesystem::remove_all(path.parent_path());
}

TEST(FixturesTimeline, WriteJsonToAnUnwritablePathThrows) {
    Timeline t("bad");
    EXPECT_THROW(t.write_json("/proc/sea-no-such/timeline.json"), std::exception);
}

// Timeline: phase order, counters, time to recover, thread safety, JSON output.
#include "sea/fixtures/timeline.hpp"

#include "sea/fixtures/env.hpp"
#include "sea/fixtures/fault.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <thread>

using namespace std::chrono_literals;
using sea::fixtures::Phase;
using sea::fixtures::Timeline;

TEST(FixturesTimeline, PhasesInOrderAcceptsSubsequencesOnly) {
    Timeline t("order");
    for (const Phase p : {Phase::steady, Phase::prepare, Phase::fault, Phase::heal, Phase::recovered}) t.enter(p);
    EXPECT_TRUE(t.phases_in_order({Phase::steady, Phase::heal, Phase::recovered}));
    EXPECT_TRUE(t.phases_in_order({}));
    EXPECT_FALSE(t.phases_in_order({Phase::heal, Phase::fault}));
    EXPECT_FALSE(t.phases_in_order({Phase::steady, Phase::teardown}));
    EXPECT_EQ(t.phase_names(), (std::vector<std::string>{"steady", "prepare", "fault", "heal", "recovered"}));
}

// The fixture tracks the phases; a History asks which one was current when an op was sent.
TEST(FixturesTimeline, PhaseAtAndWindowFollowTheEnteredPhases) {
    Timeline t("window");
    const auto before = sea::fixtures::Clock::now();
    EXPECT_EQ(t.phase_at(before), Phase::setup);  // nothing entered yet
    EXPECT_FALSE(t.window(Phase::fault));
    t.enter(Phase::steady);
    std::this_thread::sleep_for(5ms);  // the subject of this test: distinct phase start times
    t.enter(Phase::fault);
    const auto in_fault = sea::fixtures::Clock::now();
    std::this_thread::sleep_for(5ms);  // the subject of this test: a fault window of measurable length
    t.enter(Phase::heal);
    EXPECT_EQ(t.phase_at(in_fault), Phase::fault);
    EXPECT_EQ(t.current_phase(), Phase::heal);
    const auto w = t.window(Phase::fault);
    ASSERT_TRUE(w);
    EXPECT_LE(w->from, in_fault);
    EXPECT_GE(w->to, in_fault);
    EXPECT_GE(w->length(), 4ms);
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
    t.set_test_name("Json.Case");
    t.enter(Phase::steady);
    t.event("nats", true, 1500us, "pub ok");
    t.fault_inject_started("IptablesPartition sea-nats tcp/4222");
    auto held = sea::check::valid("sent=100 received=100");
    held.counts["ops"] = 100;
    t.verdict("a no-message-lost", 5000ms, 1200ms, held);
    auto broken = sea::check::invalid("p99=2300ms");
    broken.example("#3 slow");
    t.verdict("b latency-bound", std::nullopt, std::nullopt, broken);
    t.failure("invariant-violated", "INVARIANT VIOLATED [json/b latency-bound] p99=2300ms");
    t.outcome("failed");
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
    EXPECT_EQ(j["schema_version"], sea::fixtures::kTimelineSchemaVersion);
    EXPECT_EQ(j["test"], "Json.Case");
    EXPECT_EQ(j["verdicts"][0]["id"], "a no-message-lost");
    EXPECT_EQ(j["verdicts"][0]["validity"], "valid");
    EXPECT_EQ(j["verdicts"][0]["counts"]["ops"], 100);
    EXPECT_EQ(j["verdicts"][0]["deadline_ms"], 5000);
    EXPECT_EQ(j["verdicts"][1]["met_at_ms"], nullptr);
    EXPECT_EQ(j["verdicts"][1]["deadline_ms"], nullptr);
    EXPECT_EQ(j["verdicts"][1]["validity"], "invalid");
    EXPECT_EQ(j["verdicts"][1]["examples"][0], "#3 slow");
    EXPECT_EQ(j["outcome"]["status"], "failed");
    EXPECT_EQ(j["outcome"]["failures"][0]["kind"], "invariant-violated");
    EXPECT_TRUE(j["segments_ms"].contains("steady"));
    EXPECT_TRUE(j["fault"]["time_to_recover_ms"].is_null());
    EXPECT_FALSE(t.all_verdicts_valid());
    std::filesystem::remove_all(path.parent_path());
}

TEST(FixturesTimeline, WriteJsonToAnUnwritablePathThrows) {
    Timeline t("bad");
    EXPECT_THROW(t.write_json("/proc/sea-no-such/timeline.json"), std::exception);
}

// The run a timeline belongs to (what the report filters on): id from current_run_id(), start from
// SEA_CHAOS_RUN_STARTED_AT (validated) or the process's first timeline.
TEST(FixturesTimeline, NamesItsRunAndTheRunsStart) {
    ::unsetenv("SEA_CHAOS_RUN_STARTED_AT");
    const Timeline first("a");
    const Timeline second("b");
    EXPECT_EQ(first.to_json()["run"]["id"], sea::fixtures::current_run_id());
    EXPECT_EQ(first.run_started_at(), second.run_started_at());  // one run, one start, whatever the scenario
    // the process's first timeline's start (an earlier test's, when the tests share a process)
    EXPECT_LE(first.run_started_at(), first.to_json()["started_at"].get<std::string>());
    EXPECT_EQ(first.run_started_at().size(), std::string("2026-12-02T20:15:00.123Z").size());

    ::setenv("SEA_CHAOS_RUN_STARTED_AT", "2026-12-02T20:15:00.123Z", 1);
    EXPECT_EQ(Timeline("c").to_json()["run"]["started_at"], "2026-12-02T20:15:00.123Z");
    ::setenv("SEA_CHAOS_RUN_STARTED_AT", "2026-12-02T20:15:00Z", 1);
    EXPECT_EQ(Timeline("d").run_started_at(), "2026-12-02T20:15:00Z");
    for (const char* bad : {"yesterday", "2026-12-02 20:15:00Z", "2026-12-02T20:15:00", "2026-12-02T20:15:00.Z"}) {
        ::setenv("SEA_CHAOS_RUN_STARTED_AT", bad, 1);
        try {
            Timeline t("e");
            ADD_FAILURE() << "accepted " << bad;
        } catch (const sea::fixtures::ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("SEA_CHAOS_RUN_STARTED_AT"), std::string::npos) << e.what();
        }
    }
    ::unsetenv("SEA_CHAOS_RUN_STARTED_AT");
}

TEST(FixturesTimeline, FaultInPlaceRunsFromTheInjectionsEndToTheHeal) {
    Timeline t("held");
    EXPECT_FALSE(t.fault_in_place());  // nothing injected yet
    t.enter(Phase::fault);
    t.fault_inject_started("ContainerPause sea-opa");
    t.fault_inject_finished();
    std::this_thread::sleep_for(40ms);  // the subject of this test: the fault stays in place for a while
    t.enter(Phase::heal);
    t.fault_healed();
    const auto w = t.fault_in_place();
    ASSERT_TRUE(w);
    EXPECT_GE(w->length(), 39ms);
    EXPECT_LT(w->length(), 1000ms);
    const auto j = t.to_json();
    EXPECT_GE(j["fault"]["held_ms"].get<long long>(), 39);
    EXPECT_EQ(j["fault"]["held_ms"].get<long long>(), w->length().count());
}

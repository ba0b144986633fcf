// Unit tests of the benchmark's pure logic: statistics, the probe loop bookkeeping, recovery detection from
// samples, docker events parsing, the backoff model and the timeline split. No docker, no servers.
#include "detect_model.hpp"
#include "probe_bench.hpp"
#include "stats.hpp"
#include "timeline_split.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

namespace sea::bench {
namespace {

using namespace std::chrono_literals;

TEST(BenchStats, PercentileIsNearestRank) {
    std::vector<double> v;
    for (int i = 100; i >= 1; --i) v.push_back(i);  // unsorted on purpose
    EXPECT_DOUBLE_EQ(percentile(v, 50), 50);
    EXPECT_DOUBLE_EQ(percentile(v, 99), 99);
    EXPECT_DOUBLE_EQ(percentile(v, 100), 100);
    EXPECT_DOUBLE_EQ(percentile(v, 0), 1);
    EXPECT_DOUBLE_EQ(percentile({7.0}, 99), 7);
    EXPECT_DOUBLE_EQ(percentile({}, 50), 0);
}

TEST(BenchStats, PercentileRejectsOutOfRange) {
    EXPECT_THROW((void)percentile({1.0}, 101), std::invalid_argument);
    EXPECT_THROW((void)percentile({1.0}, -1), std::invalid_argument);
}

TEST(BenchStats, SummaryExcludesFailuresFromLatencyButCountsThemAsCalls) {
    const auto s = summarize({1000us, 2000us, 3000us}, 1, 4000us, "boom");
    EXPECT_EQ(s.calls, 4u);
    EXPECT_EQ(s.failures, 1u);
    EXPECT_DOUBLE_EQ(s.p50_ms, 2.0);
    EXPECT_DOUBLE_EQ(s.max_ms, 3.0);
    EXPECT_DOUBLE_EQ(s.mean_ms, 2.0);
    EXPECT_DOUBLE_EQ(s.ops_per_s, 1000.0);  // 4 calls in 4 ms
    EXPECT_EQ(s.first_error, "boom");
}

TEST(BenchStats, SpreadOfSmallSample) {
    const auto s = spread({300, 100, 200});
    EXPECT_EQ(s.n, 3u);
    EXPECT_DOUBLE_EQ(s.min, 100);
    EXPECT_DOUBLE_EQ(s.median, 200);
    EXPECT_DOUBLE_EQ(s.max, 300);
    EXPECT_EQ(spread({}).n, 0u);
}

TEST(ProbeBench, CountsFailuresAndExceptionsAndKeepsTheFirstError) {
    int i = 0;
    const auto r = run_probe_bench("x", "library", "t", 6, 10s, [&]() -> CallOutcome {
        ++i;
        if (i == 2) return {false, "second failed"};
        if (i == 4) throw std::runtime_error("fourth threw");
        return {true, ""};
    });
    EXPECT_EQ(r.summary.calls, 6u);
    EXPECT_EQ(r.summary.failures, 2u);
    EXPECT_EQ(r.summary.first_error, "second failed");
    EXPECT_FALSE(r.stopped_by_time);
}

TEST(ProbeBench, StopsAtTheTimeBound) {
    const auto r = run_probe_bench("slow", "cli", "t", 1000, 30ms, [] {
        std::this_thread::sleep_for(10ms);
        return CallOutcome{true, ""};
    });
    EXPECT_TRUE(r.stopped_by_time);
    EXPECT_LT(r.summary.calls, 10u);
}

TEST(ProbeBench, RejectsZeroIterations) {
    EXPECT_THROW(run_probe_bench("x", "library", "t", 0, 1s, [] { return CallOutcome{true, ""}; }), std::invalid_argument);
}

WallClock::time_point at(int ms) { return WallClock::time_point(std::chrono::milliseconds(1'000'000 + ms)); }
ProbeSample sample(int answered_ms, bool ok) { return ProbeSample{at(answered_ms - 1), at(answered_ms), ok}; }

TEST(Recovery, FirstSuccessAfterTheFirstFailureAfterTheCut) {
    const std::vector<ProbeSample> samples{sample(0, false), sample(5, true),  // an earlier blip, before the cut
                                           sample(10, true), sample(15, false), sample(20, false), sample(25, true), sample(30, true)};
    const auto r = find_recovery(samples, at(8));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first_down, at(15));
    EXPECT_EQ(r->last_down, at(20));
    EXPECT_EQ(r->last_down_sent, at(19));
    EXPECT_EQ(r->first_up, at(25));
}

TEST(Recovery, NoneWithoutAnOutageOrWithoutAReturn) {
    EXPECT_FALSE(find_recovery({sample(10, true), sample(20, true)}, at(0)));
    EXPECT_FALSE(find_recovery({sample(10, true), sample(20, false), sample(30, false)}, at(0)));
    EXPECT_FALSE(find_recovery({}, at(0)));
}

TEST(DockerEvents, ParsesActionsAndNanosecondTimes) {
    const std::string out =
        R"({"status":"kill","id":"abc","from":"img","Type":"container","Action":"kill","Actor":{"ID":"abc"},"scope":"local","time":1764205000,"timeNano":1764205000100000000})"
        "\n\n"
        R"({"status":"start","id":"abc","Type":"container","Action":"start","time":1764205000,"timeNano":1764205000600000000})"
        "\n"
        R"({"status":"health_status: healthy","Type":"container","Action":"health_status: healthy","time":1764205001,"timeNano":1764205001500000000})"
        "\nnot json\n"
        R"({"Type":"container"})";
    const auto parsed = parse_docker_events(out);
    ASSERT_EQ(parsed.events.size(), 3u);
    ASSERT_EQ(parsed.errors.size(), 2u);
    EXPECT_NE(parsed.errors[0].find("line 5"), std::string::npos) << parsed.errors[0];
    EXPECT_NE(parsed.errors[1].find("line 6"), std::string::npos) << parsed.errors[1];
    const auto base = WallClock::time_point(std::chrono::seconds(1764205000));
    const auto start = first_event(parsed.events, "start", base);
    ASSERT_TRUE(start);
    EXPECT_DOUBLE_EQ(ms_between(base, *start), 600.0);
    const auto healthy = first_event(parsed.events, "health_status: healthy", *start);
    ASSERT_TRUE(healthy);
    EXPECT_DOUBLE_EQ(ms_between(*start, *healthy), 900.0);
    EXPECT_FALSE(first_event(parsed.events, "start", base + std::chrono::seconds(1)));
}

TEST(BackoffModel, FollowsTheDefaultSchedule) {
    const fixtures::Backoff def;  // 50 ms x1.5 cap 1 s: attempts start at 0, 50, 125, 237, 405, ...
    EXPECT_EQ(modelled_detect_lag(def, 300ms, 0ms), 105ms);
    EXPECT_EQ(modelled_detect_lag(def, 50ms, 0ms), 0ms);
    // With 10 ms per attempt: completions at 10, 70, 155, 277, 455.
    EXPECT_EQ(modelled_detect_lag(def, 300ms, 10ms), 155ms);
    // Already available when polling starts: the first attempt's latency.
    EXPECT_EQ(modelled_detect_lag(def, -20ms, 7ms), 7ms);
    // A constant 20 ms poll never lags by more than the interval + latency.
    const fixtures::Backoff constant{20ms, 1.0, 20ms};
    for (int available = 0; available < 3000; available += 37) {
        EXPECT_LE(modelled_detect_lag(constant, std::chrono::milliseconds(available), 2ms), 22ms) << available;
    }
    // The cap: far out, the default schedule attempts every 1 s.
    EXPECT_LE(modelled_detect_lag(def, 20000ms, 0ms), 1000ms);
    EXPECT_EQ(describe(def), "50 ms x1.5 cap 1000 ms");
}

nlohmann::json timeline(const std::vector<std::pair<std::string, double>>& phases, const std::string& verdict = "pass") {
    nlohmann::json doc{{"scenario", "opa_restart"}, {"phases", nlohmann::json::array()}};
    for (const auto& [name, ms] : phases) doc["phases"].push_back({{"name", name}, {"at_ms", ms}, {"wall", "x"}});
    doc["invariants"] = nlohmann::json::array({{{"name", "a"}, {"verdict", "pass"}}, {{"name", "b"}, {"verdict", verdict}}});
    return doc;
}

TEST(TimelineSplit, SegmentsAndOverhead) {
    const auto doc = timeline({{"setup", 0}, {"up", 5000}, {"steady", 5500}, {"inject", 5600}, {"fault-verified", 6400}, {"heal", 8400},
                               {"invariant c", 9000}, {"recovered", 9000}, {"teardown", 9100}});
    const auto s = split_timeline(doc, 900.0);
    EXPECT_TRUE(s.complete);
    EXPECT_TRUE(s.passed);
    EXPECT_EQ(s.scenario, "opa_restart");
    EXPECT_DOUBLE_EQ(s.bring_up, 5000);
    EXPECT_DOUBLE_EQ(s.steady, 500);
    EXPECT_DOUBLE_EQ(s.prepare, 100);
    EXPECT_DOUBLE_EQ(s.inject, 800);
    EXPECT_DOUBLE_EQ(s.fault_hold, 2000);
    EXPECT_DOUBLE_EQ(s.recovery, 600);
    EXPECT_DOUBLE_EQ(s.verdicts, 100);
    EXPECT_DOUBLE_EQ(s.wall(), 10000);
    EXPECT_DOUBLE_EQ(s.fault_window(), 2800);
    EXPECT_DOUBLE_EQ(s.overhead(), 6600);
    EXPECT_DOUBLE_EQ(s.overhead_percent(), 66);
}

TEST(TimelineSplit, FailedAndIncompleteRunsAreFlagged) {
    const auto s = split_timeline(timeline({{"setup", 0}, {"up", 4000}, {"teardown", 4500}}, "fail"), std::nullopt);
    EXPECT_FALSE(s.passed);
    EXPECT_FALSE(s.complete);
    EXPECT_FALSE(s.teardown_measured);
    EXPECT_EQ(s.missing_phases, (std::vector<std::string>{"steady", "inject", "fault-verified", "heal", "recovered"}));
    EXPECT_DOUBLE_EQ(s.bring_up, 4000);
    EXPECT_DOUBLE_EQ(s.recovery, 0);
}

TEST(TimelineSplit, RejectsWhatIsNotATimeline) {
    EXPECT_THROW(split_timeline(nlohmann::json{{"foo", 1}}, std::nullopt), std::invalid_argument);
    EXPECT_THROW(split_timeline(nlohmann::json{{"phases", {{{"name", "setup"}}}}}, std::nullopt), std::invalid_argument);
}

class LatestTimelines : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = std::filesystem::temp_directory_path() / ("bench-timelines-" + std::to_string(::getpid()));
        std::filesystem::remove_all(root_);
    }
    void TearDown() override { std::filesystem::remove_all(root_); }
    void write(const std::string& build, const std::string& test, const std::string& text, int age_s) {
        const auto dir = root_ / "build" / build / "chaos-artifacts" / test;
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "timeline.json") << text;
        std::filesystem::last_write_time(dir / "timeline.json", std::filesystem::file_time_type::clock::now() - std::chrono::seconds(age_s));
    }
    std::filesystem::path root_;
};

TEST_F(LatestTimelines, PrefersTheNewestPassingRunElseTheNewestRun) {
    const auto pass = timeline({{"setup", 0}}).dump();
    const auto fail = timeline({{"setup", 0}}, "fail").dump();
    write("ci", "OpaRestart.X", pass, 300);
    write("lead", "OpaRestart.X", fail, 10);      // newer, but a failed (mutant) run
    write("ci", "PgRestart.Y", fail, 100);
    write("lead", "PgRestart.Y", fail, 50);
    write("lead", "Broken.Z", "{not json", 5);
    std::vector<std::string> problems;
    const auto chosen = latest_timelines(root_, problems);
    ASSERT_EQ(chosen.size(), 2u);
    EXPECT_EQ(chosen[0].test, "OpaRestart.X");
    EXPECT_TRUE(chosen[0].passed);
    EXPECT_NE(chosen[0].file.string().find("/ci/"), std::string::npos);
    EXPECT_EQ(chosen[1].test, "PgRestart.Y");
    EXPECT_FALSE(chosen[1].passed);
    EXPECT_NE(chosen[1].file.string().find("/lead/"), std::string::npos);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("Broken.Z"), std::string::npos);
}

TEST_F(LatestTimelines, NoBuildDirectoryMeansNoTimelines) {
    std::vector<std::string> problems;
    EXPECT_TRUE(latest_timelines(root_, problems).empty());
    EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace sea::bench

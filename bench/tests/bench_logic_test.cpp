// Unit tests of the benchmark's pure logic: statistics from History ops, the probe loop bookkeeping, recovery
// detection from a watcher's History, docker events parsing, the backoff model and the timeline split (crafted
// schema-2 timelines, and one written by fixtures::Timeline itself). No docker, no servers.
#include "detect_model.hpp"
#include "probe_bench.hpp"
#include "stats.hpp"
#include "timeline_split.hpp"

#include "sea/fixtures/phases.hpp"
#include "sea/fixtures/timeline.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <thread>

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

// A History of calls answered after the given latencies (µs; negative = a failed call of that latency).
std::vector<CallOp> calls(const std::vector<int>& latencies_us, const std::string& error = "boom") {
    CallHistory history("calls");
    const auto t0 = Clock::time_point(std::chrono::seconds(1000));
    for (const int l : latencies_us) {
        const auto sent = t0;
        const auto answered = sent + std::chrono::microseconds(l < 0 ? -l : l);
        const CallOutcome value{l >= 0, l >= 0 ? "" : error};
        history.add(sent, answered, value, value.outcome(), value.describe());
    }
    return history.ops();
}

TEST(BenchStats, SummaryFromHistoryOps) {
    const auto s = summarize(calls({1000, -500, 2000, 3000, -700}, "refused"), 5000us);
    EXPECT_EQ(s.calls, 5u);
    EXPECT_EQ(s.failures, 2u);
    EXPECT_DOUBLE_EQ(s.p50_ms, 2.0);  // over the ok ops only
    EXPECT_DOUBLE_EQ(s.max_ms, 3.0);
    EXPECT_DOUBLE_EQ(s.ops_per_s, 1000.0);
    EXPECT_EQ(s.first_error, "refused");  // the first failed op's description
    const auto none = summarize(std::vector<CallOp>{}, 0us);
    EXPECT_EQ(none.calls, 0u);
    EXPECT_DOUBLE_EQ(none.p99_ms, 0);
}

TEST(BenchStats, AnUnknownOutcomeCountsAsAFailure) {
    fixtures::History<int> history("h");
    const auto t0 = Clock::now();
    history.add(t0, t0 + 1ms, 1, fixtures::Outcome::ok, "ok");
    history.add(t0, t0 + 2ms, 2, fixtures::Outcome::unknown, "timed out, may have committed");
    const auto s = summarize(history.ops(), 3000us);
    EXPECT_EQ(s.failures, 1u);
    EXPECT_EQ(s.first_error, "timed out, may have committed");
    EXPECT_DOUBLE_EQ(s.max_ms, 1.0);
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

Clock::time_point at(int ms) { return Clock::time_point(std::chrono::milliseconds(1'000'000 + ms)); }

// A watcher's History: each entry is (answered ms, up), sent 1 ms before its answer.
std::vector<CallOp> watched(const std::vector<std::pair<int, bool>>& answers) {
    CallHistory history("watcher");
    for (const auto& [answered_ms, up] : answers) {
        const CallOutcome value{up, up ? "" : "down"};
        history.add(at(answered_ms - 1), at(answered_ms), value, value.outcome(), value.describe());
    }
    return history.ops();
}

TEST(Recovery, FirstSuccessAfterTheFirstFailureAfterTheCut) {
    const auto ops = watched({{0, false}, {5, true},  // an earlier blip, before the cut
                              {10, true}, {15, false}, {20, false}, {25, true}, {30, true}});
    const auto r = find_recovery(ops, at(8));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first_down, at(15));
    EXPECT_EQ(r->last_down, at(20));
    EXPECT_EQ(r->last_down_sent, at(19));
    EXPECT_EQ(r->first_up, at(25));
    EXPECT_DOUBLE_EQ(ms_between(at(8), r->first_up), 17.0);
}

TEST(Recovery, NoneWithoutAnOutageOrWithoutAReturn) {
    EXPECT_FALSE(find_recovery(watched({{10, true}, {20, true}}), at(0)));
    EXPECT_FALSE(find_recovery(watched({{10, true}, {20, false}, {30, false}}), at(0)));
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

using fixtures::Phase;
std::string name(Phase p) { return std::string(fixtures::phase_name(p)); }

// A crafted schema-2 timeline: segments_ms by phase, the fault record, outcome.status.
nlohmann::json timeline(const std::vector<std::pair<Phase, double>>& segments, const std::string& status = "passed",
                        nlohmann::json fault = nlohmann::json::object()) {
    nlohmann::json doc{{"schema_version", 2}, {"scenario", "opa_restart"}, {"test", "OpaRestart.GatewayFailsClosedAndRecovers"},
                       {"outcome", {{"status", status}, {"failures", nlohmann::json::array()}}}, {"phases", nlohmann::json::array()},
                       {"segments_ms", nlohmann::json::object()}, {"fault", std::move(fault)}, {"verdicts", nlohmann::json::array()}};
    double at_ms = 0;
    for (const auto& [phase, ms] : segments) {
        doc["phases"].push_back({{"name", name(phase)}, {"at_ms", at_ms}, {"wall", "x"}});
        doc["segments_ms"][name(phase)] = ms;
        at_ms += ms;
    }
    return doc;
}

// A whole passing run: 20 s waiting for the lock, 10 s of its own (with the 850 ms measured down).
nlohmann::json passing_run() {
    return timeline({{Phase::setup, 10}, {Phase::lock_wait, 20000}, {Phase::up, 4990}, {Phase::steady, 500}, {Phase::prepare, 100},
                     {Phase::fault, 2800}, {Phase::heal, 50}, {Phase::after_heal, 600}, {Phase::recovered, 100}, {Phase::teardown, 0}},
                    "passed",
                    {{"description", "ContainerRestart sea-opa"}, {"inject_start_ms", 25600}, {"inject_end_ms", 26000}, {"verified_ms", 26400},
                     {"healed_ms", 28450}, {"recovered_ms", 29050}, {"time_to_recover_ms", 600}});
}

TEST(TimelineSplit, SegmentsFromTheTimelineAndOverhead) {
    const auto s = split_timeline(passing_run(), 850.0);
    EXPECT_TRUE(s.complete) << ::testing::PrintToString(s.missing);
    EXPECT_TRUE(s.passed);
    EXPECT_EQ(s.status, "passed");
    EXPECT_EQ(s.scenario, "opa_restart");
    EXPECT_DOUBLE_EQ(s.segment(Phase::up), 4990);       // bring-up
    EXPECT_DOUBLE_EQ(s.lock_wait(), 20000);             // apart from bring-up
    EXPECT_DOUBLE_EQ(s.segment(Phase::steady), 500);
    EXPECT_DOUBLE_EQ(s.segment(Phase::prepare), 100);
    EXPECT_DOUBLE_EQ(s.inject, 800);                    // inject_start -> verified
    EXPECT_DOUBLE_EQ(s.fault_hold, 2000);               // the rest of the fault phase
    EXPECT_DOUBLE_EQ(s.segment(Phase::heal), 50);
    EXPECT_DOUBLE_EQ(s.recovery, 600);                  // fault.time_to_recover_ms
    EXPECT_DOUBLE_EQ(s.verdicts, 100);                  // after-heal + recovered - recovery
    EXPECT_DOUBLE_EQ(s.wall(), 30000);
    EXPECT_DOUBLE_EQ(s.own_wall(), 10000);
    EXPECT_DOUBLE_EQ(s.fault_window(), 2850);
    EXPECT_DOUBLE_EQ(s.overhead(), 6550);
    EXPECT_DOUBLE_EQ(s.overhead_percent(), 65.5);       // of the run's own time: the lock wait is other runs'
}

TEST(TimelineSplit, AFailedRunHasNoRecovery) {
    auto doc = passing_run();
    doc["outcome"]["status"] = "failed";
    doc["segments_ms"].erase(name(Phase::recovered));
    doc["segments_ms"][name(Phase::after_heal)] = 60000;  // an invariant's deadline ran out
    doc["fault"]["recovered_ms"] = nullptr;
    doc["fault"]["time_to_recover_ms"] = nullptr;
    const auto s = split_timeline(doc, std::nullopt);
    EXPECT_FALSE(s.passed);
    EXPECT_EQ(s.status, "failed");
    EXPECT_FALSE(s.complete);
    EXPECT_FALSE(s.teardown_measured);
    EXPECT_EQ(s.missing, std::vector<std::string>{name(Phase::recovered)});
    EXPECT_DOUBLE_EQ(s.recovery, 0);  // never the time until the deadline ran out
    EXPECT_DOUBLE_EQ(s.verdicts, 60000);
}

TEST(TimelineSplit, AStackThatNeverGotSteadyStopsAtBringUp) {
    const auto s = split_timeline(timeline({{Phase::setup, 1}, {Phase::lock_wait, 3000}, {Phase::up, 4000}, {Phase::teardown, 0}}, "failed",
                                           {{"inject_start_ms", nullptr}, {"verified_ms", nullptr}, {"time_to_recover_ms", nullptr}}),
                                  std::nullopt);
    EXPECT_FALSE(s.complete);
    EXPECT_EQ(s.missing, (std::vector<std::string>{name(Phase::steady), name(Phase::prepare), name(Phase::fault), name(Phase::heal),
                                                   name(Phase::after_heal), name(Phase::recovered)}));
    EXPECT_DOUBLE_EQ(s.segment(Phase::up), 4000);
    EXPECT_DOUBLE_EQ(s.lock_wait(), 3000);
    EXPECT_DOUBLE_EQ(s.inject + s.fault_hold + s.recovery, 0);
    EXPECT_DOUBLE_EQ(s.wall(), 7001);
}

TEST(TimelineSplit, AFaultThatNeverTookEffectIsAllInjection) {
    auto doc = passing_run();
    doc["outcome"]["status"] = "failed";
    doc["fault"]["verified_ms"] = nullptr;
    const auto s = split_timeline(doc, std::nullopt);
    EXPECT_DOUBLE_EQ(s.inject, 2800);
    EXPECT_DOUBLE_EQ(s.fault_hold, 0);
    EXPECT_FALSE(s.complete);
    EXPECT_EQ(s.missing, std::vector<std::string>{"fault.verified_ms"});
}

std::string thrown(const nlohmann::json& doc) {
    try {
        (void)split_timeline(doc, std::nullopt);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

TEST(TimelineSplit, RejectsOtherSchemaVersionsWithAClearProblem) {
    auto v1 = passing_run();
    v1["schema_version"] = 1;
    EXPECT_EQ(thrown(v1), "timeline schema_version 1, this bench reads schema_version 2: re-run the scenario with this build");
    auto none = passing_run();
    none.erase("schema_version");  // a schema-1 timeline had no version at all
    EXPECT_NE(thrown(none).find("no integer \"schema_version\""), std::string::npos) << thrown(none);
    EXPECT_NE(thrown(nlohmann::json::array()).find("not a JSON object"), std::string::npos);
    EXPECT_NE(thrown(nlohmann::json{{"foo", 1}}).find("schema_version"), std::string::npos);
}

TEST(TimelineSplit, RejectsMalformedSchema2Documents) {
    auto no_segments = passing_run();
    no_segments.erase("segments_ms");
    EXPECT_NE(thrown(no_segments).find("no \"segments_ms\" object"), std::string::npos) << thrown(no_segments);
    auto unknown = passing_run();
    unknown["segments_ms"]["fault-verified"] = 3;  // a schema-1 phase name: the names live in fixtures/phases.hpp only
    EXPECT_NE(thrown(unknown).find("unknown phase 'fault-verified'"), std::string::npos) << thrown(unknown);
    auto negative = passing_run();
    negative["segments_ms"][name(Phase::up)] = -1;
    EXPECT_NE(thrown(negative).find("not a non-negative number"), std::string::npos) << thrown(negative);
    auto no_outcome = passing_run();
    no_outcome.erase("outcome");
    EXPECT_NE(thrown(no_outcome).find("\"outcome\".\"status\""), std::string::npos) << thrown(no_outcome);
    auto bad_fault = passing_run();
    bad_fault["fault"]["verified_ms"] = "soon";
    EXPECT_NE(thrown(bad_fault).find("verified_ms"), std::string::npos) << thrown(bad_fault);
}

// What fixtures::Timeline writes is what the split reads: the segments add up to the document's duration.
TEST(TimelineSplit, ReadsWhatTheFixtureWrites) {
    fixtures::Timeline t("opa_restart");
    for (const auto p : fixtures::kAllPhases) {
        t.enter(p);
        if (p == Phase::fault) {
            t.fault_inject_started("ContainerRestart sea-opa");
            std::this_thread::sleep_for(3ms);
            t.fault_inject_finished();
            t.fault_verified();
        }
        if (p == Phase::heal) t.fault_healed();
        if (p == Phase::after_heal) std::this_thread::sleep_for(2ms);
        if (p == Phase::recovered) {
            t.recovered();
            std::this_thread::sleep_for(2ms);
        }
    }
    t.outcome("passed");
    const auto doc = t.to_json();
    const auto s = split_timeline(doc, std::nullopt);
    EXPECT_TRUE(s.passed);
    EXPECT_TRUE(s.complete) << ::testing::PrintToString(s.missing);
    EXPECT_EQ(s.segments.size(), fixtures::kAllPhases.size());
    EXPECT_NEAR(s.wall(), doc["duration_ms"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(s.inject + s.fault_hold, s.segment(Phase::fault));
    EXPECT_DOUBLE_EQ(s.recovery, doc["fault"]["time_to_recover_ms"].get<double>());
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
    const auto pass = timeline({{Phase::setup, 0}}).dump();
    const auto fail = timeline({{Phase::setup, 0}}, "failed").dump();
    auto v1 = nlohmann::json::parse(pass);
    v1.erase("schema_version");
    write("ci", "OpaRestart.X", pass, 300);
    write("lead", "OpaRestart.X", fail, 10);      // newer, but a failed (mutant) run
    write("ci", "PgRestart.Y", fail, 100);
    write("lead", "PgRestart.Y", fail, 50);
    write("lead", "Broken.Z", "{not json", 5);
    write("old", "OpaRestart.X", v1.dump(), 1);   // newest, and "passed", but schema 1: a problem, not a choice
    std::vector<std::string> problems;
    const auto chosen = latest_timelines(root_, problems);
    ASSERT_EQ(chosen.size(), 2u);
    EXPECT_EQ(chosen[0].test, "OpaRestart.X");
    EXPECT_TRUE(chosen[0].passed);
    EXPECT_NE(chosen[0].file.string().find("/ci/"), std::string::npos);
    EXPECT_EQ(chosen[1].test, "PgRestart.Y");
    EXPECT_FALSE(chosen[1].passed);
    EXPECT_NE(chosen[1].file.string().find("/lead/"), std::string::npos);
    ASSERT_EQ(problems.size(), 2u) << ::testing::PrintToString(problems);
    const auto joined = problems[0] + "\n" + problems[1];
    EXPECT_NE(joined.find("Broken.Z/timeline.json: not valid JSON"), std::string::npos) << joined;
    EXPECT_NE(joined.find("/old/chaos-artifacts/OpaRestart.X/timeline.json: not a sea-chaos timeline of schema_version 2"), std::string::npos)
        << joined;
}

TEST_F(LatestTimelines, NoBuildDirectoryMeansNoTimelines) {
    std::vector<std::string> problems;
    EXPECT_TRUE(latest_timelines(root_, problems).empty());
    EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace sea::bench

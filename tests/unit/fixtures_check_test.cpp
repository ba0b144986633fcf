// Checkers (sea::check) and History: each checker fed crafted histories, including the edge cases — an empty
// history and a window with no operation are UNKNOWN, never valid.
#include "sea/fixtures/check.hpp"
#include "sea/fixtures/history.hpp"
#include "sea/fixtures/timeline.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;
using sea::check::Validity;
using sea::check::Verdict;
using sea::fixtures::Clock;
using sea::fixtures::History;
using sea::fixtures::Op;
using sea::fixtures::Outcome;
using sea::fixtures::Phase;
using sea::fixtures::Window;

namespace {

// A crafted history: op i sent at t0 + 10*i ms, answered `latency_ms` later, in the given phase.
struct Spec {
    Outcome outcome;
    int value;
    Phase phase = Phase::prepare;
    int latency_ms = 1;
};
const Clock::time_point t0 = Clock::now();
std::vector<Op<int>> ops(const std::vector<Spec>& specs) {
    std::vector<Op<int>> out;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto sent = t0 + std::chrono::milliseconds(10 * i);
        out.push_back(Op<int>{i, sent, sent + std::chrono::milliseconds(specs[i].latency_ms), specs[i].phase, specs[i].outcome, specs[i].value,
                              "value " + std::to_string(specs[i].value)});
    }
    return out;
}
const auto is_even = [](const Op<int>& op) { return op.value % 2 == 0; };

}  // namespace

TEST(Check, AlwaysIsUnknownOnAnEmptyHistoryValidWhenEveryOpHoldsInvalidOtherwise) {
    EXPECT_EQ(sea::check::always(ops({}), "even", is_even).validity, Validity::unknown);
    const auto held = sea::check::always(ops({{Outcome::ok, 2}, {Outcome::ok, 4}}), "even", is_even);
    EXPECT_EQ(held.validity, Validity::valid);
    EXPECT_EQ(held.counts.at("ops"), 2u);
    const auto broken = sea::check::always(ops({{Outcome::ok, 2}, {Outcome::ok, 3}, {Outcome::ok, 5}}), "even", is_even);
    EXPECT_EQ(broken.validity, Validity::invalid);
    EXPECT_EQ(broken.counts.at("violations"), 2u);
    ASSERT_EQ(broken.examples.size(), 2u);
    EXPECT_EQ(broken.examples[0], "#1 value 3 (+10 ms)");
    EXPECT_NE(broken.summary().find("e.g. #1 value 3"), std::string::npos) << broken.summary();
}

TEST(Check, TooFewOpsAreUnknownButAViolationAmongThemIsInvalid) {
    EXPECT_EQ(sea::check::always(ops({{Outcome::ok, 2}}), "even", is_even, 50).validity, Validity::unknown);
    EXPECT_EQ(sea::check::always(ops({{Outcome::ok, 3}}), "even", is_even, 50).validity, Validity::invalid);
}

TEST(Check, ExamplesAreCappedButViolationsAllCounted) {
    std::vector<Spec> odd(20, Spec{Outcome::ok, 1});
    const auto v = sea::check::always(ops(odd), "even", is_even);
    EXPECT_EQ(v.counts.at("violations"), 20u);
    EXPECT_EQ(v.examples.size(), sea::check::kMaxExamples);
}

TEST(Check, NeverAndAllOk) {
    EXPECT_EQ(sea::check::never(ops({{Outcome::ok, 1}, {Outcome::ok, 3}}), "even", is_even).validity, Validity::valid);
    const auto seen_even = sea::check::never(ops({{Outcome::ok, 1}, {Outcome::ok, 2}}), "even", is_even);
    EXPECT_EQ(seen_even.validity, Validity::invalid);
    EXPECT_NE(seen_even.evidence.find("1 of 2 op(s) show 'even'"), std::string::npos) << seen_even.evidence;
    EXPECT_EQ(sea::check::all_ok(ops({{Outcome::ok, 1}, {Outcome::ok, 1}})).validity, Validity::valid);
    EXPECT_EQ(sea::check::all_ok(ops({{Outcome::ok, 1}, {Outcome::unknown, 1}})).validity, Validity::invalid);
    EXPECT_EQ(sea::check::all_ok(ops({{Outcome::ok, 1}, {Outcome::fail, 1}})).validity, Validity::invalid);
    EXPECT_EQ(sea::check::all_ok(ops({})).validity, Validity::unknown);
}

TEST(Check, AWindowWithNoOperationIsUnknownNotValid) {
    const auto h = ops({{Outcome::ok, 1, Phase::prepare}, {Outcome::ok, 1, Phase::after_heal}});
    const auto in_fault = sea::check::in_phase(h, {Phase::fault});
    EXPECT_TRUE(in_fault.empty());
    EXPECT_EQ(sea::check::all_ok(in_fault).validity, Validity::unknown);
    EXPECT_EQ(sea::check::never(in_fault, "even", is_even).validity, Validity::unknown);
    EXPECT_EQ(sea::check::seen(in_fault, "even", is_even).validity, Validity::unknown);
    EXPECT_TRUE(sea::check::during(h, std::nullopt).empty());  // a window that never opened selects nothing
}

TEST(Check, DuringKeepsOpsWhollyInsideTheWindowAndWindowOfSpansTheMatchingSends) {
    // ops sent at 0, 10, 20, 30, 40 ms; 2 and 3 failed (an outage seen by a direct probe), op 3 answered slowly.
    const auto probe = ops({{Outcome::ok, 0}, {Outcome::ok, 0}, {Outcome::fail, 0}, {Outcome::fail, 0, Phase::prepare, 200}, {Outcome::ok, 0}});
    const auto outage = sea::check::window_of(probe, [](const Op<int>& op) { return !op.ok(); });
    ASSERT_TRUE(outage);
    EXPECT_EQ(outage->from, t0 + 20ms);
    EXPECT_EQ(outage->to, t0 + 30ms);  // the last failing SEND, not its slow answer
    EXPECT_EQ(outage->length(), 10ms);
    const auto answers = ops({{Outcome::ok, 0}, {Outcome::ok, 0}, {Outcome::ok, 0, Phase::prepare, 5}, {Outcome::ok, 0, Phase::prepare, 50}});
    const auto inside = sea::check::during(answers, outage);
    ASSERT_EQ(inside.size(), 1u);  // op 2: sent 20, answered 25; op 3 sent 30 answered 80 is not wholly inside
    EXPECT_EQ(inside[0].index, 2u);
    EXPECT_FALSE(sea::check::window_of(answers, [](const Op<int>& op) { return !op.ok(); }));
}

TEST(Check, SeenNeedsItsMinimum) {
    const auto h = ops({{Outcome::ok, 1}, {Outcome::ok, 2}, {Outcome::ok, 3}});
    EXPECT_EQ(sea::check::seen(h, "even", is_even).validity, Validity::valid);
    const auto two = sea::check::seen(h, "even", is_even, 2);
    EXPECT_EQ(two.validity, Validity::invalid);
    EXPECT_EQ(two.counts.at("seen"), 1u);
}

TEST(Check, EventuallyJudgesHowTheHistoryEnds) {
    EXPECT_EQ(sea::check::eventually(ops({}), "even", is_even).validity, Validity::unknown);
    const auto back = sea::check::eventually(ops({{Outcome::ok, 2}, {Outcome::ok, 3}, {Outcome::ok, 4}, {Outcome::ok, 6}}), "even", is_even);
    EXPECT_EQ(back.validity, Validity::valid);
    EXPECT_EQ(back.counts.at("since"), 2u);
    EXPECT_EQ(sea::check::eventually(ops({{Outcome::ok, 2}, {Outcome::ok, 3}}), "even", is_even).validity, Validity::invalid);
}

TEST(Check, NoSlowerThanIsALatencyBound) {
    const auto fast = ops({{Outcome::ok, 0, Phase::prepare, 5}, {Outcome::ok, 0, Phase::prepare, 100}});
    const auto v = sea::check::no_slower_than(fast, 100ms);
    EXPECT_EQ(v.validity, Validity::valid);
    EXPECT_DOUBLE_EQ(v.measures.at("slowest_ms"), 100.0);
    EXPECT_EQ(sea::check::no_slower_than(ops({{Outcome::ok, 0, Phase::prepare, 101}}), 100ms).validity, Validity::invalid);
    EXPECT_EQ(sea::check::no_slower_than(ops({}), 100ms).validity, Validity::unknown);
}

TEST(Check, MaxOfAndBoundedByIgnoreOpsWithoutAValue) {
    const auto h = ops({{Outcome::ok, 4}, {Outcome::fail, -1}, {Outcome::ok, 9}, {Outcome::ok, 0}});
    const auto metric = [](const Op<int>& op) { return op.ok() ? std::optional<double>(op.value) : std::nullopt; };
    EXPECT_EQ(sea::check::max_of(h, metric), 9.0);
    const auto queue_grew = sea::check::bounded_by(h, "queue size", metric, 1, 1e308);
    EXPECT_EQ(queue_grew.validity, Validity::valid);
    EXPECT_DOUBLE_EQ(queue_grew.measures.at("max"), 9.0);
    EXPECT_EQ(sea::check::bounded_by(h, "dropped", metric, 0, 0).validity, Validity::invalid);
    EXPECT_EQ(sea::check::bounded_by(h, "queue size", metric, 10, 1e308).validity, Validity::invalid);  // never grew enough
    const auto nothing = sea::check::bounded_by(ops({{Outcome::fail, 1}}), "queue size", metric, 0, 0);
    EXPECT_EQ(nothing.validity, Validity::unknown);
    EXPECT_NE(nothing.evidence.find("no op measured queue size"), std::string::npos);
}

TEST(Check, ExactlyOnceUsesJepsensSetFullVocabulary) {
    const std::set<std::string> attempted{"a", "b", "c", "d", "e"};
    const std::set<std::string> acked{"a", "b", "c"};
    // a once, b lost, c twice, d (unknown outcome) recovered, x never attempted
    const auto v = sea::check::exactly_once(attempted, acked, {{"a", 1}, {"c", 2}, {"d", 1}, {"x", 1}});
    EXPECT_EQ(v.validity, Validity::invalid);
    EXPECT_EQ(v.counts.at("ok"), 1u);
    EXPECT_EQ(v.counts.at("lost"), 1u);
    EXPECT_EQ(v.counts.at("duplicated"), 1u);
    EXPECT_EQ(v.counts.at("unexpected"), 1u);
    EXPECT_EQ(v.counts.at("recovered"), 1u);
    EXPECT_EQ(v.examples, (std::vector<std::string>{"lost b", "c observed 2 times", "unexpected x"}));

    EXPECT_EQ(sea::check::exactly_once(attempted, acked, {{"a", 1}, {"b", 1}, {"c", 1}, {"e", 1}}).validity, Validity::valid);
    EXPECT_EQ(sea::check::exactly_once({}, {}, {}).validity, Validity::unknown);               // nothing acknowledged: nothing to judge
    EXPECT_EQ(sea::check::exactly_once({"a"}, {}, {{"a", 2}}).validity, Validity::invalid);  // ... but a duplicate is a duplicate
}

TEST(Check, ComposeIsInvalidIfAnyPartIsThenUnknownThenValid) {
    const auto ok = sea::check::valid("fine");
    const auto bad = sea::check::invalid("broken");
    const auto dunno = sea::check::unknown("no ops");
    EXPECT_EQ(sea::check::compose({{"x", ok}, {"y", ok}}).validity, Validity::valid);
    EXPECT_EQ(sea::check::compose({{"x", ok}, {"y", dunno}}).validity, Validity::unknown);
    const auto both = sea::check::compose({{"x", ok}, {"y", dunno}, {"z", bad}});
    EXPECT_EQ(both.validity, Validity::invalid);
    EXPECT_EQ(both.evidence.rfind("[invalid] z: broken", 0), 0u) << both.evidence;  // the failing part first
    EXPECT_EQ(sea::check::compose({}).validity, Validity::unknown);
    auto counted = sea::check::valid("");
    counted.counts["ops"] = 3;
    EXPECT_EQ(sea::check::compose({{"p", counted}}).counts.at("p.ops"), 3u);
}

TEST(Check, VerdictJsonCarriesEveryField) {
    auto v = sea::check::invalid("1 lost");
    v.counts["lost"] = 1;
    v.measures["max"] = 2.5;
    v.example("lost a");
    const auto j = v.to_json();
    EXPECT_EQ(j["validity"], "invalid");
    EXPECT_EQ(j["counts"]["lost"], 1);
    EXPECT_EQ(j["measures"]["max"], 2.5);
    EXPECT_EQ(j["examples"][0], "lost a");
    EXPECT_EQ(j["evidence"], "1 lost");
}

// History: thread-safe, tags each op with the phase current when it was SENT, and projects it into the timeline once.
TEST(History, TagsOpsWithThePhaseAtSendAndProjectsThemIntoTheTimelineOnce) {
    sea::fixtures::Timeline timeline("history");
    History<int> h("probe", &timeline, &timeline);
    timeline.enter(Phase::prepare);
    const auto sent_in_prepare = Clock::now();
    std::this_thread::sleep_for(2ms);  // the subject of this test: the phase changes between send and answer
    timeline.enter(Phase::fault);
    h.add(sent_in_prepare, 7, Outcome::ok, "seven");
    h.add(Clock::now(), 8, Outcome::unknown, "eight");
    const auto all = h.ops();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].phase, Phase::prepare);
    EXPECT_EQ(all[1].phase, Phase::fault);
    EXPECT_EQ(all[1].index, 1u);
    const auto counters = timeline.counters("probe");
    EXPECT_EQ(counters.ok, 1u);
    EXPECT_EQ(counters.fail, 1u);  // unknown is not ok
    EXPECT_EQ(timeline.to_json()["events"].size(), 2u);
}

TEST(History, ConcurrentAddsKeepEveryOp) {
    History<int> h("threads");
    std::vector<std::thread> threads;
    for (int n = 0; n < 4; ++n) {
        threads.emplace_back([&h] {
            for (int i = 0; i < 500; ++i) h.add(Clock::now(), i, Outcome::ok, "");
        });
    }
    for (auto& t : threads) t.join();
    const auto all = h.ops();
    EXPECT_EQ(all.size(), 2000u);
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].index, i);
}

// A final invalid verdict (cannot become valid: invariant_eventually stops polling at it) stays final through compose
// only while the composition is invalid because of it.
TEST(Check, FinalSurvivesComposeOnlyOnAnInvalidPart) {
    auto lost_for_good = sea::check::invalid("a discarded message");
    lost_for_good.final = true;
    EXPECT_TRUE(sea::check::compose({{"x", sea::check::valid("")}, {"y", lost_for_good}}).final);
    auto not_yet = sea::check::invalid("not there yet");
    EXPECT_FALSE(sea::check::compose({{"x", not_yet}}).final);
    auto stale = sea::check::valid("");
    stale.final = true;  // meaningless on a valid part
    EXPECT_FALSE(sea::check::compose({{"x", stale}}).final);
    EXPECT_EQ(lost_for_good.to_json()["final"], true);
}

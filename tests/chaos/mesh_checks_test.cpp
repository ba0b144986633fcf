// (b) mirror-exactly-once on crafted histories: when a missing acked message is final (it can no longer reach the
// mirror) and when it is only late (the mirror may still copy it), so a caught mutant stops at once and a slow
// mirror is never judged lost for good.
#include "mesh_checks.hpp"

#include <gtest/gtest.h>

namespace sea::chaos {
namespace {

fixtures::Op<Publish> acked(const std::string& id, std::uint64_t seq) {
    fixtures::Op<Publish> op;
    op.outcome = fixtures::Outcome::ok;
    op.value.msg_id = id;
    op.value.result.acked = true;
    op.value.result.seq = seq;
    return op;
}

TEST(MirrorExactlyOnce, EveryAckedIdOnceIsValid) {
    const MirrorContent mirror{{{"steady", 1}, {"m1", 1}, {"m2", 1}}, 3};
    EXPECT_TRUE(exactly_once_in_mirror({acked("m1", 2), acked("m2", 3)}, "steady", mirror, 1).valid());
}

TEST(MirrorExactlyOnce, AMissingIdTheMirrorHasNotReachedYetIsInvalidButNotFinal) {
    const MirrorContent mirror{{{"steady", 1}, {"m1", 1}}, 2};
    const auto v = exactly_once_in_mirror({acked("m1", 2), acked("m2", 3)}, "steady", mirror, 1);
    EXPECT_TRUE(v.invalid());
    EXPECT_FALSE(v.final) << "seq 3 is beyond the mirror's last sequence 2: it may still be copied";
}

TEST(MirrorExactlyOnce, AMissingIdAtOrBelowTheMirrorsLastSequenceIsFinal) {
    // A source that came back empty numbers from 1 again: the mirror (at 40) never copies seq 2.
    const MirrorContent mirror{{{"steady", 1}, {"m1", 1}}, 40};
    const auto v = exactly_once_in_mirror({acked("m1", 39), acked("after-restart", 2)}, "steady", mirror, 1);
    EXPECT_TRUE(v.invalid());
    EXPECT_TRUE(v.final);
    EXPECT_EQ(v.counts.at("lost_and_passed_by_mirror"), 1U);
}

TEST(MirrorExactlyOnce, AnIncompleteMirrorReadVouchesForNothing) {
    const MirrorContent mirror{{{"steady", 1}}, std::nullopt};
    EXPECT_FALSE(exactly_once_in_mirror({acked("m1", 2)}, "steady", mirror, 1).final);
}

TEST(MirrorExactlyOnce, AMissingIdTheSourceDiscardedIsFinal) {
    const MirrorContent mirror{{{"steady", 1}}, 1};
    const auto v = exactly_once_in_mirror({acked("m1", 2)}, "steady", mirror, 5);
    EXPECT_TRUE(v.final);
    EXPECT_EQ(v.counts.at("lost_and_discarded_at_source"), 1U);
}

TEST(MirrorExactlyOnce, ADuplicateIsFinal) {
    const MirrorContent mirror{{{"steady", 1}, {"m1", 2}}, 3};
    EXPECT_TRUE(exactly_once_in_mirror({acked("m1", 2)}, "steady", mirror, 1).final);
}

}  // namespace
}  // namespace sea::chaos

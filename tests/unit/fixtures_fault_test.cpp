// What the fault kinds promise without docker: the iptables rules each partition mode writes (and records in the
// ledger for a later run to heal), and the compound fault's argument checks.
#include "sea/fixtures/fault.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

using namespace sea::fixtures;

namespace {

std::string joined(const std::vector<std::string>& spec) {
    std::string out;
    for (const auto& s : spec) out += (out.empty() ? "" : " ") + s;
    return out;
}

FaultLedger& scratch_ledger() {
    static FaultLedger ledger(std::filesystem::temp_directory_path() / ("sea-fault-unit-" + std::to_string(::getpid()) + ".json"));
    return ledger;
}

}  // namespace

TEST(FixturesFault, ServerSideDropIsTheSeedsRule) {
    IptablesPartition p("c", {7522}, {&scratch_ledger(), "r1"});
    const auto specs = p.rule_specs();
    ASSERT_EQ(specs.size(), 2u);
    EXPECT_EQ(joined(specs[0]), "INPUT -p tcp --dport 7522 -m comment --comment sea-chaos:r1 -j DROP");
    EXPECT_EQ(joined(specs[1]), "OUTPUT -p tcp --sport 7522 -m comment --comment sea-chaos:r1 -j DROP");
    EXPECT_EQ(p.describe(), "IptablesPartition c tcp/7522");
}

TEST(FixturesFault, ClientSideRejectCutsTheCallsWithAReset) {
    IptablesPartition p("gw", {8181}, {&scratch_ledger(), "r2"},
                        PartitionMode{.side = PartitionMode::Side::calls, .action = PartitionMode::Action::reject});
    const auto specs = p.rule_specs();
    ASSERT_EQ(specs.size(), 2u);
    EXPECT_EQ(joined(specs[0]), "INPUT -p tcp --sport 8181 ! --tcp-flags RST RST -m comment --comment sea-chaos:r2 -j REJECT --reject-with tcp-reset");
    EXPECT_EQ(joined(specs[1]), "OUTPUT -p tcp --dport 8181 ! --tcp-flags RST RST -m comment --comment sea-chaos:r2 -j REJECT --reject-with tcp-reset");
    EXPECT_EQ(p.describe(), "IptablesPartition gw tcp/8181 calls/REJECT");
}

TEST(FixturesFault, APartitionRecreatedFromTheLedgerKeepsItsMode) {
    LedgerEntry entry{"", "IptablesPartition", "gw", "", {{"ports", {8181}}, {"side", "calls"}, {"action", "reject"}}, "r3", ""};
    const auto fault = make_builtin_fault(entry, scratch_ledger());
    auto* p = dynamic_cast<IptablesPartition*>(fault.get());
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->mode().describe(), "calls/REJECT");
    // Entries written before modes existed are the seed's serves/DROP.
    LedgerEntry old{"", "IptablesPartition", "c", "", {{"ports", {7522}}}, "r4", ""};
    const auto legacy = make_builtin_fault(old, scratch_ledger());
    EXPECT_EQ(dynamic_cast<IptablesPartition&>(*legacy).mode().describe(), "serves/DROP");
    EXPECT_NE(make_builtin_fault(LedgerEntry{"", "ContainerKill", "c", "", {}, "r5", ""}, scratch_ledger()), nullptr);
}

TEST(FixturesFault, CompoundFaultNeedsParts) {
    EXPECT_THROW(CompoundFault({}, {}, {&scratch_ledger(), "r6"}), FaultError);
    std::vector<std::unique_ptr<Fault>> parts;
    parts.push_back(std::make_unique<ContainerPause>("a", FaultOptions{&scratch_ledger(), "r6"}));
    parts.push_back(std::make_unique<ContainerStop>("b", FaultOptions{&scratch_ledger(), "r6"}));
    CompoundFault both(std::move(parts), {}, {&scratch_ledger(), "r6"});
    EXPECT_EQ(both.target(), "a+b");
    EXPECT_EQ(both.describe(), "CompoundFault(ContainerPause a ; ContainerStop b)");
}

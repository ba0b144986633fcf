// sea-chaos-heal (`just heal`): undoes what crashed or interrupted chaos runs left on this machine.
//  1. heals every fault still recorded in the fault ledger (restarts stopped/paused containers, deletes the
//     suite's own iptables rules by their exact spec — never a flush);
//  2. removes every compose project labelled sea.chaos.suite=sea-chaos (containers, networks, volumes),
//     including ones started by scripts rather than by a test process.
// Exit status 0 when nothing is left, 1 when something could not be healed (each problem on its own line).
#include "sea/fixtures/fault_ledger.hpp"
#include "sea/fixtures/stack.hpp"

#include <cstdio>
#include <exception>

int main() {
    int status = 0;
    try {
        const auto report = sea::fixtures::FaultLedger::process_default().heal_all_recorded();
        std::printf("fault ledger %s: %d fault(s) healed\n", sea::fixtures::FaultLedger::default_path().c_str(), report.healed);
        for (const auto& problem : report.problems) {
            std::fprintf(stderr, "sea-chaos-heal: %s\n", problem.c_str());
            status = 1;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sea-chaos-heal: fault ledger: %s\n", e.what());
        status = 1;
    }
    const int swept = sea::fixtures::Stack::remove_leftovers(/*include_unowned=*/true);
    std::printf("%d leftover stack(s) removed\n", swept);
    const auto left = sea::fixtures::Stack::leftover_projects(/*include_unowned=*/true);
    for (const auto& project : left) {
        std::fprintf(stderr, "sea-chaos-heal: stack %s is still there\n", project.c_str());
        status = 1;
    }
    return status;
}

// sea-chaos-heal (`just heal`): undoes what crashed or interrupted chaos runs left on this machine, and nothing
// that belongs to a run still alive.
//
//   sea-chaos-heal          takes the machine lock first (waits, with a message naming the run it waits for),
//                           so it never races a scenario; then heals / removes what dead runs left.
//   sea-chaos-heal --now    does not wait: when a live run holds the lock it still heals / removes what DEAD runs
//                           left, and refuses to touch the live run's fault or stack.
//
//  1. heals every fault in the fault ledger whose owning process is gone (pid + start time: a reused pid is not
//     the owner): restarts stopped/paused containers, deletes the suite's own iptables rules by their exact
//     spec — never a flush;
//  2. removes every sea-chaos compose project whose owner is gone (containers, networks, volumes, found by label
//     and by the per-stack owner files, so a stack killed before its first container is found too), the compose
//     processes still working on it and its work dir; with the lock held also projects with no owner record
//     (started by scripts rather than by a test process).
// Every live run left alone is named on its own line ("left alone: ..."). Exit status 0 when nothing of a dead
// run is left, 1 when something could not be healed (each problem on its own line), 2 for a bad argument.
#include "sea/fixtures/fault_ledger.hpp"
#include "sea/fixtures/machine_lock.hpp"
#include "sea/fixtures/stack.hpp"

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

namespace {

using sea::fixtures::MachineLock;

std::string holder_text() {
    const auto holder = MachineLock::holder();
    return holder ? holder->describe() : "pid unknown";
}

}  // namespace

int main(int argc, char** argv) {
    bool now = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--now") == 0) {
            now = true;
        } else {
            std::fprintf(stderr, "sea-chaos-heal: unknown argument '%s' (usage: sea-chaos-heal [--now])\n", argv[i]);
            return 2;
        }
    }
    int status = 0;
    std::unique_ptr<MachineLock> lock;
    try {
        lock = MachineLock::try_acquire();
        if (!lock && now) {
            std::printf("a live sea-chaos run holds the machine lock (%s): --now heals only what dead runs left and leaves that run alone\n",
                        holder_text().c_str());
        } else if (!lock) {
            std::printf("waiting for the running sea-chaos run (%s) to finish before healing (lock %s); "
                        "`sea-chaos-heal --now` heals what dead runs left without waiting\n",
                        holder_text().c_str(), MachineLock::default_file().c_str());
            std::fflush(stdout);
            lock = std::make_unique<MachineLock>();
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sea-chaos-heal: machine lock: %s\n", e.what());
        return 1;
    }
    try {
        const auto report = sea::fixtures::FaultLedger::process_default().heal_recorded(sea::fixtures::HealScope::orphaned);
        std::printf("fault ledger %s: %d fault(s) of dead runs healed\n", sea::fixtures::FaultLedger::default_path().c_str(), report.healed);
        for (const auto& entry : report.left_alone) std::printf("left alone: fault %s\n", sea::fixtures::describe_live_entry(entry).c_str());
        for (const auto& problem : report.problems) {
            std::fprintf(stderr, "sea-chaos-heal: %s\n", problem.c_str());
            status = 1;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sea-chaos-heal: fault ledger: %s\n", e.what());
        status = 1;
    }
    const bool include_unowned = lock != nullptr;
    const int swept = sea::fixtures::Stack::remove_leftovers(include_unowned);
    std::printf("%d leftover stack(s) removed\n", swept);
    try {
        for (const auto& p : sea::fixtures::Stack::sea_chaos_projects()) {
            if (p.owner_alive()) {
                std::printf("left alone: stack %s of live run %s (%s)\n", p.project.c_str(), p.run_id.empty() ? "?" : p.run_id.c_str(),
                            p.owner->describe().c_str());
            } else if (p.owner || include_unowned) {
                std::fprintf(stderr, "sea-chaos-heal: stack %s is still there\n", p.project.c_str());
                status = 1;
            } else {
                std::printf("left alone: stack %s has no owner record and a live run holds the lock (run without --now to remove it)\n",
                            p.project.c_str());
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sea-chaos-heal: listing stacks: %s\n", e.what());
        status = 1;
    }
    return status;
}

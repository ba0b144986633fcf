// Stack driver against real Docker: up/health, container helpers, fail-fast, deadline messages, down,
// leftovers, container faults and the iptables partition (label `stack`).
#include "sea/fixtures/eventually.hpp"
#include "sea/fixtures/fault.hpp"
#include "sea/fixtures/preflight.hpp"
#include "sea/fixtures/stack.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
using namespace sea::fixtures;

namespace {

constexpr const char* kImage = "sea-chaos/debian:12";

StackOptions driver_options(std::vector<std::string> profiles = {}) {
    StackOptions options;
    options.compose_files = {std::filesystem::path(SEA_STACK_COMPOSE_DIR) / "stack-driver.yml"};
    options.profiles = std::move(profiles);
    options.project_prefix = "seastacktest";
    options.env_file = std::nullopt;
    return options;
}

std::string ip_of(const Container& c) {
    const auto inspect = c.inspect();
    for (const auto& [name, net] : inspect.at("NetworkSettings").at("Networks").items()) {
        const auto ip = net.value("IPAddress", "");
        if (!ip.empty()) return ip;
    }
    return {};
}

// The echo service's banner read from the host over the bridge; "" when unreachable within `timeout`.
std::string banner(const std::string& ip, std::chrono::milliseconds timeout) {
    const auto r = sea::probes::run_process({"bash", "-c", "exec 3<>/dev/tcp/" + ip + "/7000 && head -1 <&3"}, timeout);
    return r.ok() ? r.out : std::string();
}

std::size_t count_with_project_label(const std::string& object, const std::string& project) {
    std::vector<std::string> args{object, "ls", "-q", "--filter", "label=com.docker.compose.project=" + project};
    if (object == "container") args = {"ps", "-a", "-q", "--filter", "label=com.docker.compose.project=" + project};
    return split_lines(docker_checked(args, "count " + object)).size();
}

class StackDriver : public ::testing::Test {
protected:
    void SetUp() override {
        PreflightSpec spec;
        spec.images = {kImage};
        const auto result = preflight(spec);
        ASSERT_TRUE(result.ok()) << result.report();
        ledger_file_ = std::filesystem::temp_directory_path() / ("sea-stack-ledger-" + std::to_string(::getpid()) + ".json");
        std::filesystem::remove(ledger_file_);
    }
    void TearDown() override {
        std::filesystem::remove(ledger_file_);
        std::filesystem::remove(ledger_file_.string() + ".lock");
    }
    std::filesystem::path ledger_file_;
};

}  // namespace

TEST_F(StackDriver, UpWaitsForHealthAndContainerHelpersWork) {
    Stack stack(driver_options());
    stack.up(Deadline::in(90s));
    ASSERT_EQ(stack.containers().size(), 2u);

    const auto echo = stack.container("echo");
    auto state = echo.state();
    EXPECT_EQ(state.status, "running");
    EXPECT_EQ(state.health, "healthy");
    EXPECT_GT(echo.pid(), 0);
    EXPECT_EQ(stack.container(echo.name()).id(), echo.id());  // by container name too
    EXPECT_EQ(stack.container("sleeper").state().health, "");
    EXPECT_THROW((void)stack.container("nope"), StackError);

    const auto exec = echo.exec({"bash", "-c", "echo inside; exit 4"}, 10s);
    EXPECT_EQ(exec.out, "inside\n");
    EXPECT_EQ(exec.exit_code, 4);
    EXPECT_NE(echo.logs().find("echo listening on 7000"), std::string::npos);
    EXPECT_EQ(banner(ip_of(echo), 3s), "sea-echo\n");

    echo.pause();
    EXPECT_EQ(echo.state().status, "paused");
    echo.unpause();
    EXPECT_EQ(echo.state().status, "running");

    const auto started_before = echo.state().started_at;
    echo.restart(2s);
    EXPECT_NE(echo.state().started_at, started_before);
    ASSERT_EVENTUALLY("echo healthy after restart", Deadline::in(30s), [&] {
        const auto s = echo.state();
        return Observation(s.health == "healthy", s.status + "/" + s.health);
    });

    echo.stop(2s);
    EXPECT_EQ(echo.state().status, "exited");
    echo.start();
    EXPECT_EQ(echo.state().status, "running");
}

TEST_F(StackDriver, UpFailsFastWithTheLogsOfAnExitingContainer) {
    Stack stack(driver_options({"crash"}));
    const auto start = std::chrono::steady_clock::now();
    try {
        stack.up(Deadline::in(90s));
        FAIL() << "up() should have failed";
    } catch (const StackError& e) {
        const std::string text = e.what();
        EXPECT_NE(text.find("service 'crasher'"), std::string::npos) << text;
        EXPECT_NE(text.find("exited with code 3"), std::string::npos) << text;
        EXPECT_NE(text.find("boom: config file missing"), std::string::npos) << text;
        EXPECT_NE(text.find("sea-crasher-started"), std::string::npos) << text;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);  // far from the 90 s deadline
    stack.down();
    EXPECT_EQ(count_with_project_label("container", stack.project_name()), 0u);
}

TEST_F(StackDriver, DeadlineMessageNamesUnreadyServicesWithHealthOutput) {
    Stack stack(driver_options({"slow"}));
    const auto start = std::chrono::steady_clock::now();
    try {
        stack.up(Deadline::in(25s));  // compose v1 `up -d` alone takes 2-8 s on a loaded 2-core machine
        FAIL() << "up() should have hit the deadline";
    } catch (const StackError& e) {
        const std::string text = e.what();
        EXPECT_NE(text.find("not ready before the deadline"), std::string::npos) << text;
        EXPECT_NE(text.find("slow: status running, health starting"), std::string::npos) << text;
        EXPECT_NE(text.find("still-warming-up"), std::string::npos) << text;
        EXPECT_EQ(text.find("echo:"), std::string::npos) << text;  // ready services are not blamed
    }
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, 25s);
    EXPECT_LT(took, 27s);
}

TEST_F(StackDriver, DownIsIdempotentAndLeavesNothingLabelled) {
    Stack stack(driver_options());
    stack.up(Deadline::in(90s));
    const auto project = stack.project_name();
    EXPECT_EQ(count_with_project_label("container", project), 2u);
    EXPECT_GE(count_with_project_label("network", project), 1u);
    const auto owners = split_lines(docker_checked({"ps", "-a", "--filter", "label=com.docker.compose.project=" + project,
                                                    "--filter", "label=sea.chaos.suite=sea-chaos", "--format",
                                                    "{{.Label \"sea.chaos.pid\"}}"}, "owner labels"));
    EXPECT_EQ(owners, std::vector<std::string>(2, std::to_string(::getpid())));
    const auto leftovers = Stack::leftover_projects();
    EXPECT_EQ(std::find(leftovers.begin(), leftovers.end(), project), leftovers.end());  // owner is alive
    stack.down();
    stack.down();
    EXPECT_EQ(count_with_project_label("container", project), 0u);
    EXPECT_EQ(count_with_project_label("network", project), 0u);
    EXPECT_EQ(count_with_project_label("volume", project), 0u);
    const auto after = Stack::leftover_projects();
    EXPECT_EQ(std::find(after.begin(), after.end(), project), after.end());
}

TEST_F(StackDriver, LeftoversAreProjectsWhoseOwnerDiedAndAreRemoved) {
    const pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    ASSERT_GT(dead, 0);
    ::waitpid(dead, nullptr, 0);
    auto orphan = [](const std::string& project, const std::string& pid_label) {
        std::vector<std::string> args{"run", "-d", "--label", "sea.chaos.suite=sea-chaos", "--label", "com.docker.compose.project=" + project};
        if (!pid_label.empty()) args.insert(args.end(), {"--label", "sea.chaos.pid=" + pid_label});
        args.insert(args.end(), {kImage, "sleep", "infinity"});
        docker_checked(args, "start a labelled container");
    };
    const std::string dead_owner = make_project_name("seaorphan");
    const std::string live_owner = make_project_name("sealive");
    const std::string unowned = make_project_name("seaunowned");
    orphan(dead_owner, std::to_string(dead));
    orphan(live_owner, std::to_string(::getpid()));
    orphan(unowned, "");
    auto contains = [](const std::vector<std::string>& list, const std::string& x) { return std::find(list.begin(), list.end(), x) != list.end(); };

    const auto projects = Stack::leftover_projects();
    EXPECT_TRUE(contains(projects, dead_owner));
    EXPECT_FALSE(contains(projects, live_owner));  // a live test process keeps its stack
    EXPECT_FALSE(contains(projects, unowned));     // owner unknown: only with include_unowned
    EXPECT_TRUE(contains(Stack::leftover_projects(true), unowned));

    EXPECT_GE(Stack::remove_leftovers(), 1);
    EXPECT_EQ(count_with_project_label("container", dead_owner), 0u);
    EXPECT_EQ(count_with_project_label("container", live_owner), 1u);
    Stack::sweep_project(live_owner);
    Stack::sweep_project(unowned);
    EXPECT_EQ(count_with_project_label("container", live_owner), 0u);
    EXPECT_EQ(count_with_project_label("container", unowned), 0u);
}

TEST_F(StackDriver, ContainerFaultsInjectVerifyAndHeal) {
    Stack stack(driver_options());
    stack.up(Deadline::in(90s));
    FaultLedger ledger(ledger_file_);
    const auto sleeper = stack.container("sleeper");
    std::string evidence;
    {
        ContainerPause pause(sleeper.name(), {&ledger, "stack-test"});
        const FaultGuard guard(pause);
        EXPECT_TRUE(pause.verify_injected(evidence)) << evidence;
        EXPECT_EQ(ledger.entries().size(), 1u);
    }
    EXPECT_EQ(sleeper.state().status, "running");
    EXPECT_TRUE(ledger.entries().empty());
    {
        ContainerStop stop(sleeper.name(), {&ledger, "stack-test"}, 1s);
        stop.inject();
        EXPECT_TRUE(stop.verify_injected(evidence)) << evidence;
        stop.heal();
        EXPECT_FALSE(stop.verify_injected(evidence)) << evidence;
    }
    {
        ContainerRestart restart(sleeper.name(), {&ledger, "stack-test"}, 1s);
        restart.inject();
        EXPECT_TRUE(restart.verify_injected(evidence)) << evidence;
        restart.heal();
    }
    EXPECT_EQ(sleeper.state().status, "running");
    EXPECT_TRUE(ledger.entries().empty());

    // A stop left behind by a "crashed" run is healed by the next run; a vanished container is just dropped.
    ledger.record(LedgerEntry{"", "ContainerStop", sleeper.name(), sleeper.id(), {}, "old-run", ""});
    ledger.record(LedgerEntry{"", "ContainerPause", "sea-container-that-is-gone", "", {}, "old-run", ""});
    sleeper.stop(1s);
    const auto report = ledger.heal_recorded(HealScope::orphaned);
    EXPECT_EQ(report.healed, 2) << (report.problems.empty() ? "" : report.problems.front());
    EXPECT_EQ(sleeper.state().status, "running");
    EXPECT_TRUE(ledger.entries().empty());
    EXPECT_THROW(ContainerStop("sea-container-that-is-gone", {&ledger, "x"}).inject(), FaultError);
}

TEST_F(StackDriver, IptablesPartitionDropsTrafficAndHealRemovesExactlyItsRules) {
    Stack stack(driver_options());
    stack.up(Deadline::in(90s));
    const auto echo = stack.container("echo");
    const auto ip = ip_of(echo);
    ASSERT_FALSE(ip.empty());
    ASSERT_EQ(banner(ip, 3s), "sea-echo\n");

    FaultLedger ledger(ledger_file_);
    IptablesPartition partition(echo.name(), {7000}, {&ledger, "stack-test-" + std::to_string(::getpid())});
    std::string evidence;
    EXPECT_FALSE(partition.verify_injected(evidence));
    {
        const FaultGuard guard(partition);
        EXPECT_TRUE(partition.verify_injected(evidence)) << evidence;
        ASSERT_EQ(ledger.entries().size(), 1u);
        EXPECT_EQ(ledger.entries()[0].spec["ports"], nlohmann::json::array({7000}));
        partition.inject();  // idempotent: no duplicate rules
        EXPECT_EQ(banner(ip, 1500ms), "");  // SYN dropped: connect stalls until the timeout
        EXPECT_GT(partition.dropped_packets(), 0u);
        EXPECT_TRUE(partition.verify_injected(evidence));
        EXPECT_NE(evidence.find("INPUT dpt:7000 pkts="), std::string::npos) << evidence;
        const auto rules = sea::probes::run_process(
            {"nsenter", "-t", std::to_string(echo.pid()), "-n", "iptables", "-S"}, 10s);
        std::size_t ours = 0;
        for (const auto& line : split_lines(rules.out)) ours += line.find("sea-chaos:stack-test-") != std::string::npos;
        EXPECT_EQ(ours, 2u) << rules.out;
    }
    EXPECT_FALSE(partition.verify_injected(evidence)) << evidence;
    EXPECT_NE(evidence.find("absent"), std::string::npos) << evidence;
    EXPECT_TRUE(ledger.entries().empty());
    const auto rules = sea::probes::run_process({"nsenter", "-t", std::to_string(echo.pid()), "-n", "iptables", "-S"}, 10s);
    EXPECT_EQ(rules.out.find("sea-chaos:"), std::string::npos) << rules.out;
    ASSERT_EVENTUALLY("echo reachable after heal", Deadline::in(10s), [&] {
        const auto b = banner(ip, 1s);
        return Observation(b == "sea-echo\n", b.empty() ? "no banner" : b);
    });
}

TEST_F(StackDriver, ContainerKillIsACrashThatHealStartsAgain) {
    Stack stack(driver_options());
    stack.up(Deadline::in(90s));
    FaultLedger ledger(ledger_file_);
    const auto sleeper = stack.container("sleeper");
    const int pid_before = sleeper.pid();
    ContainerKill kill(sleeper.name(), {&ledger, "stack-test"});
    std::string evidence;
    kill.inject();
    EXPECT_EQ(ledger.entries().size(), 1u);
    ASSERT_EVENTUALLY("the killed process is gone", Deadline::in(10s), [&] {
        const bool gone = kill.verify_injected(evidence);
        return Observation(gone, evidence);
    });
    // SIGKILL from the host: docker records exit 137 (no restart policy here, so it stays exited until healed).
    EXPECT_EQ(sleeper.state().exit_code, 137) << evidence;
    kill.heal();
    EXPECT_EQ(sleeper.state().status, "running");
    EXPECT_NE(sleeper.pid(), pid_before);
    EXPECT_TRUE(ledger.entries().empty());
    // Re-created from a ledger entry (a crashed run's), it heals the same way.
    EXPECT_NE(make_builtin_fault(LedgerEntry{"", "ContainerKill", sleeper.name(), sleeper.id(), {}, "old-run", ""}, ledger), nullptr);
}

TEST_F(StackDriver, CompoundFaultInjectsInOrderAndHealsPartsAlone) {
    Stack stack(driver_options());
    stack.up(Deadline::in(90s));
    FaultLedger ledger(ledger_file_);
    const auto sleeper = stack.container("sleeper");
    const auto echo = stack.container("echo");
    std::vector<std::unique_ptr<Fault>> parts;
    parts.push_back(std::make_unique<ContainerPause>(sleeper.name(), FaultOptions{&ledger, "stack-test"}));
    parts.push_back(std::make_unique<ContainerStop>(echo.name(), FaultOptions{&ledger, "stack-test"}, 1s));
    std::string status_between;
    CompoundFault both(std::move(parts), [&](std::size_t) { status_between = sleeper.state().status + "/" + echo.state().status; },
                       FaultOptions{&ledger, "stack-test"});
    both.inject();
    EXPECT_EQ(status_between, "paused/running");  // the hook ran after the first part, before the second
    std::string evidence;
    EXPECT_TRUE(both.verify_injected(evidence)) << evidence;
    EXPECT_EQ(ledger.entries().size(), 2u);  // each part its own entry
    both.heal_part(0);
    EXPECT_EQ(sleeper.state().status, "running");
    EXPECT_EQ(echo.state().status, "exited");
    EXPECT_EQ(ledger.entries().size(), 1u);
    both.heal();
    both.heal();  // idempotent
    EXPECT_EQ(echo.state().status, "running");
    EXPECT_TRUE(ledger.entries().empty());
    // A failing part aborts the injection; what was injected stays recorded until healed.
    std::vector<std::unique_ptr<Fault>> bad;
    bad.push_back(std::make_unique<ContainerPause>(sleeper.name(), FaultOptions{&ledger, "stack-test"}));
    bad.push_back(std::make_unique<ContainerStop>("sea-container-that-is-gone", FaultOptions{&ledger, "stack-test"}, 1s));
    CompoundFault half(std::move(bad), {}, FaultOptions{&ledger, "stack-test"});
    EXPECT_THROW(half.inject(), FaultError);
    EXPECT_EQ(ledger.entries().size(), 1u);
    half.heal();
    EXPECT_EQ(sleeper.state().status, "running");
    EXPECT_TRUE(ledger.entries().empty());
}

TEST_F(StackDriver, IptablesRejectResetsAtOnceWhereDropStalls) {
    Stack stack(driver_options());
    stack.up(Deadline::in(90s));
    const auto echo = stack.container("echo");
    const auto ip = ip_of(echo);
    ASSERT_EQ(banner(ip, 3s), "sea-echo\n");
    FaultLedger ledger(ledger_file_);
    IptablesPartition reject(echo.name(), {7000}, {&ledger, "stack-test-" + std::to_string(::getpid())},
                             PartitionMode{.side = PartitionMode::Side::serves, .action = PartitionMode::Action::reject});
    {
        const FaultGuard guard(reject);
        std::string evidence;
        EXPECT_TRUE(reject.verify_injected(evidence)) << evidence;
        EXPECT_EQ(ledger.entries()[0].spec["action"], "reject");
        const auto start = std::chrono::steady_clock::now();
        EXPECT_EQ(banner(ip, 3s), "");
        // A reset comes back at once; DROP would make the connect wait out the whole 3 s.
        EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
        EXPECT_GT(reject.dropped_packets(), 0u);  // the REJECT rules' counters
    }
    EXPECT_TRUE(ledger.entries().empty());
    ASSERT_EVENTUALLY("echo reachable after heal", Deadline::in(10s), [&] {
        const auto b = banner(ip, 1s);
        return Observation(b == "sea-echo\n", b.empty() ? "no banner" : b);
    });
}

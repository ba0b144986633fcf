// sea-chaos-bench (`just bench`): measures, side by side, in one run
//   1. probe latency / throughput: library probes vs their CLI equivalents;
//   2. time-to-detect recovery after `docker restart sea-postgres` / `sea-opa` at the suite's default poll settings;
//   3. the wall-time split of the last chaos run of each scenario (from its timeline.json).
// Prints the tables to stdout (progress to stderr) and writes JSON to <build root>/bench/bench.json.
//
// Environment (a malformed value is an error naming the variable):
//   BENCH_PARTS            comma list of probes,detect,split (default all three)
//   BENCH_ITERATIONS       library calls per probe row, 1..100000 (default 500)
//   BENCH_CLI_ITERATIONS   CLI calls per row, 1..10000 (default 50)
//   BENCH_RESTARTS         restarts per component, 1..50 (default 5)
//   BENCH_JSON             output file (default <build root>/bench/bench.json)
//   SEA_*_PORT, SEA_*_IMAGE, SEA_PG_PASSWORD   as for the chaos scenarios (fixtures/profile.hpp)
// Stacks are brought up only under the machine-wide MachineLock (waits for other sea-chaos runs).
// Exit status: 0 when every part ran (goals missed or not), 1 when a part could not run, 2 on bad configuration.
#include "profiles.hpp"
#include "report.hpp"
#include "timeline_split.hpp"

#include "sea/fixtures/cleanup.hpp"
#include "sea/fixtures/env.hpp"
#include "sea/fixtures/log.hpp"
#include "sea/fixtures/machine_lock.hpp"
#include "sea/fixtures/profile.hpp"
#include "sea/fixtures/stack.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace {

using namespace sea;

struct Parts {
    bool probes = false, detect = false, split = false;
};

Parts parse_parts(const std::string& text) {
    Parts parts;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (item == "probes") parts.probes = true;
        else if (item == "detect") parts.detect = true;
        else if (item == "split") parts.split = true;
        else throw fixtures::ConfigError("BENCH_PARTS: expected a comma list of probes,detect,split, got '" + text + "' (unknown '" + item + "')");
    }
    if (!parts.probes && !parts.detect && !parts.split) throw fixtures::ConfigError("BENCH_PARTS: names no part: '" + text + "'");
    return parts;
}

bench::SplitSection split_section(const std::vector<bench::ProfileResult>& profiles) {
    static const std::map<std::string, std::string> profile_of{{"postgres_restart_outbox", "chaos-outbox"}, {"opa_restart", "chaos-opa"},
                                                                  {"openobserve_stall", "chaos-observe"}, {"nats_partition_mesh", "nats-mesh"}};
    std::map<std::string, double> down_ms;
    for (const auto& p : profiles) {
        if (p.down_ms) down_ms[p.profile] = *p.down_ms;
    }
    bench::SplitSection section;
    for (const auto& t : bench::latest_timelines(fixtures::repo_root(), section.problems)) {
        try {
            std::ifstream in(t.file);
            const auto doc = nlohmann::json::parse(in);
            std::optional<double> teardown;
            if (const auto it = profile_of.find(doc.value("scenario", "")); it != profile_of.end() && down_ms.count(it->second)) {
                teardown = down_ms[it->second];
            }
            auto split = bench::split_timeline(doc, teardown);
            split.test = t.test;
            split.file = t.file;
            section.splits.push_back(std::move(split));
        } catch (const std::exception& e) {
            section.problems.push_back(t.file.string() + ": " + e.what());
        }
    }
    return section;
}

int run() {
    bench::BenchConfig config;
    Parts parts;
    std::filesystem::path json_path;
    try {
        parts = parse_parts(fixtures::env_or("BENCH_PARTS", "probes,detect,split"));
        config.iterations = fixtures::env_int("BENCH_ITERATIONS", 500, 1, 100000);
        config.cli_iterations = fixtures::env_int("BENCH_CLI_ITERATIONS", 50, 1, 10000);
        config.restarts = fixtures::env_int("BENCH_RESTARTS", 5, 1, 50);
        config.probes = parts.probes;
        config.detect = parts.detect;
        for (const auto* profile : fixtures::profiles::all()) profile->validate();
        json_path = fixtures::env_or("BENCH_JSON", (fixtures::build_root() / "bench" / "bench.json").string());
    } catch (const fixtures::ConfigError& e) {
        std::cerr << "sea-chaos-bench: " << e.what() << "\n";
        return 2;
    }

    // Ctrl-C / SIGTERM: the stack this process brought up is taken down before it exits (the scenarios' cleanup
    // registry: fixtures/cleanup.hpp). Before any thread starts, so every later thread inherits the signal mask.
    fixtures::install_cleanup_on_signal();
    std::vector<bench::ProfileResult> profiles;
    if (parts.probes || parts.detect) {
        fixtures::log_line("bench: taking the machine-wide stack lock (waits while another sea-chaos stack runs)");
        fixtures::MachineLock lock;
        if (const int swept = fixtures::Stack::remove_leftovers(); swept > 0) fixtures::log_line(fmt::format("bench: removed {} leftover stack(s)", swept));
        profiles.push_back(bench::run_outbox_profile(config));
        profiles.push_back(bench::run_opa_profile(config));
        if (parts.probes) {
            profiles.push_back(bench::run_bringup_only(fixtures::profiles::observe()));
            profiles.push_back(bench::run_bringup_only(fixtures::profiles::mesh()));
        }
    }
    bench::SplitSection section;
    if (parts.split) section = split_section(profiles);

    std::cout << "sea-chaos-bench\n";
    for (const auto& p : profiles) {
        std::cout << fmt::format("stack {}: up {} ms, down {} ms{}\n", p.profile, p.up_ms ? fmt::format("{:.0f}", *p.up_ms) : "-",
                                 p.down_ms ? fmt::format("{:.0f}", *p.down_ms) : "-", p.error.empty() ? "" : "; ERROR: " + p.error);
    }
    if (parts.probes) std::cout << "\n" << bench::probe_table(profiles);
    if (parts.detect) std::cout << "\n" << bench::detect_table(profiles);
    if (parts.split) std::cout << "\n" << bench::split_table(section);

    std::filesystem::create_directories(json_path.parent_path());
    std::ofstream(json_path) << bench::to_json(config, profiles, section).dump(2) << "\n";
    std::cout << "\nJSON: " << json_path.string() << "\n";

    bool failed = false;
    for (const auto& p : profiles) failed = failed || !p.error.empty();
    return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) {
        const std::string arg = argv[1];
        if (arg != "--help" && arg != "-h") std::cerr << "sea-chaos-bench: takes no arguments (got '" << arg << "'); configure it by environment:\n";
        std::cerr << "usage: sea-chaos-bench\n"
                     "  BENCH_PARTS=probes,detect,split  BENCH_ITERATIONS=500  BENCH_CLI_ITERATIONS=50  BENCH_RESTARTS=5\n"
                     "  BENCH_JSON=<build root>/bench/bench.json  SEA_*_PORT as for the scenarios\n";
        return arg == "--help" || arg == "-h" ? 0 : 2;
    }
    try {
        return run();
    } catch (const std::exception& e) {
        std::cerr << "sea-chaos-bench: " << e.what() << "\n";
        return 1;
    }
}

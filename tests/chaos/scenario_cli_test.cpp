// The chaos binaries' answers to bad input, one table row per input (the README's "Bad input" table is this
// table: every row's input must appear there; the test writes the table with the measured answer times to
// <build>/bad-inputs.md).
//
// For every row the binary (chaos-opa_restart, or chaos-nats_partition_mesh for the mesh's own inputs) runs
// with that input and must:
//  * fail (or, for "no daemon" without SEA_REQUIRE_ALL, skip) with exactly ONE line of its kind
//    ("BAD INPUT: <variable>: <problem>; <fix>" or the preflight's "FAIL: ...") that starts as the row says;
//  * answer in under 1 s, although the machine lock is HELD by this test for every BAD INPUT row (so validation
//    happens before any lock wait), and the held lock file's content is unchanged afterwards (no lock write);
//  * leave nothing: no file in its private SEA_STATE_DIR but the images.env copied there, no artifacts under its
//    private SEA_BUILD_ROOT, no /tmp/sea-stack-<project> work dir, and (when docker answers) no container,
//    network or volume of a compose project named after its pid.
#include "sea/probes/process.hpp"
#include "sea/testsupport/ports.hpp"
#include "sea/testsupport/tcp_fakes.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto kAnswerBudget = 1000ms;

struct Row {
    std::string input;      // the README's "bad input" column
    std::map<std::string, std::string> env;
    std::string expected;   // the one line starts with this
    std::string binary = SEA_CHAOS_OPA_RESTART_BIN;
    bool preflight = false;  // answered by the preflight (after the lock): run with the lock free
    bool needs_docker = false;
    int exit_code = 1;
};

bool docker_answers() { return sea::probes::run_process({"docker", "info", "--format", "{{.ServerVersion}}"}, 10s).ok(); }

class ScenarioCli : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("sea-cli-test-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "files");
        lock_path_ = root_ / "held.lock";
        std::ofstream(lock_path_) << kLockText;
        lock_fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CLOEXEC);
        ASSERT_GE(lock_fd_, 0);
        ASSERT_EQ(::flock(lock_fd_, LOCK_EX | LOCK_NB), 0) << "hold the machine lock for the BAD INPUT rows";
        const auto real_images = fs::path(SEA_REPO_ROOT) / ".state" / "images.env";
        if (fs::exists(real_images)) images_env_ = read(real_images);
    }
    void TearDown() override {
        if (lock_fd_ >= 0) ::close(lock_fd_);
        fs::remove_all(root_);
    }

    static std::string read(const fs::path& file) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    fs::path file(const std::string& name, const std::string& text) const {
        const auto path = root_ / "files" / name;
        std::ofstream(path) << text;
        return path;
    }

    struct Answer {
        sea::probes::ProcessResult result;
        int pid = 0;
        std::vector<std::string> lines;  // the lines of the row's kind
    };

    // Runs the row's binary through `sh -c 'echo $$; exec ...'` so the test knows the pid (compose project
    // names and work dirs carry it).
    Answer run(const Row& row, const fs::path& state_dir, const fs::path& build_root) const {
        sea::probes::ProcessOptions options;
        options.env = {{"SEA_STATE_DIR", state_dir.string()}, {"SEA_BUILD_ROOT", build_root.string()},
                       {"SEA_STACK_LOCK", row.preflight ? (root_ / "free.lock").string() : lock_path_.string()}};
        if (row.preflight) {  // the preflight also checks the host ports: free ones, so only the row's cause answers
            options.env["SEA_OPA_PORT"] = std::to_string(sea::testsupport::free_loopback_port());
            options.env["SEA_GATEWAY_PORT"] = std::to_string(sea::testsupport::free_loopback_port());
        }
        for (const auto& [name, value] : row.env) options.env[name] = value;
        Answer answer;
        answer.result = sea::probes::run_process({"/bin/sh", "-c", "echo $$ >&2; exec \"$0\"", row.binary}, 20s, options);
        answer.pid = std::atoi(answer.result.err.c_str());
        const std::string kind = row.preflight ? "FAIL: " : "BAD INPUT: ";
        std::istringstream out(answer.result.out);
        for (std::string line; std::getline(out, line);) {
            const auto at = line.find(kind);
            if (at == std::string::npos) continue;
            line = line.substr(at);
            // gtest wraps an exception from a fixture's constructor: C++ exception with description "..." thrown in ...
            if (const auto wrap = line.find("\" thrown in the test fixture"); wrap != std::string::npos) line.resize(wrap);
            answer.lines.push_back(line);
        }
        return answer;
    }

    // Everything the run might have left, as text ("" = nothing).
    // The preflight rows ran after the lock: their state (ledger) and artifacts (timeline) are a run's record.
    std::string leftovers(const Answer& answer, const fs::path& state_dir, const fs::path& build_root, bool docker, bool files) const {
        std::string found;
        if (files && fs::is_directory(state_dir)) {
            for (const auto& entry : fs::directory_iterator(state_dir)) {
                if (entry.path().filename() != "images.env") found += " state:" + entry.path().filename().string();
            }
        }
        if (files && fs::exists(build_root / "chaos-artifacts")) found += " artifacts dir";
        const std::string pid = std::to_string(answer.pid);
        for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
            const auto name = entry.path().filename().string();
            if (name.rfind("sea-stack-", 0) == 0 && name.find("seachaos") != std::string::npos && name.find(pid) != std::string::npos) {
                found += " workdir:" + name;
            }
        }
        if (read(lock_path_) != kLockText) found += " lock file written";
        if (docker && answer.pid > 0) {
            for (const auto& args : std::vector<std::vector<std::string>>{
                     {"docker", "ps", "-a", "--format", "{{.Label \"com.docker.compose.project\"}}"},
                     {"docker", "network", "ls", "--format", "{{.Name}}"},
                     {"docker", "volume", "ls", "--format", "{{.Name}}"}}) {
                const auto listed = sea::probes::run_process(args, 20s);
                std::istringstream lines(listed.out);
                for (std::string line; std::getline(lines, line);) {
                    if (line.rfind("seachaos", 0) == 0 && line.find(pid) != std::string::npos) found += " docker:" + line;
                }
            }
        }
        return found;
    }

    static constexpr const char* kLockText = "held by scenario_cli_test\n";
    fs::path root_, lock_path_;
    int lock_fd_ = -1;
    std::string images_env_;
};

TEST_F(ScenarioCli, EveryBadInputIsOneLineInUnderASecondWithNothingStartedOrLeft) {
    const bool docker = docker_answers();
    const sea::testsupport::SilentTcpServer taken;  // listens: the port is taken
    const auto broken_yaml = file("broken.yml", "services:\n  opa: [\n");
    const auto bad_key_yaml = file("typo.yml", "services:\n  opa:\n    imagez: x\n");
    const auto a_file = file("plain-file", "x");
    const auto streams_max_age = file("streams-max-age.json", [] {
        std::string text = read(fs::path(SEA_REPO_ROOT) / "infra/nats/mesh/streams.json");
        const auto at = text.find("\"duplicates_window_s\"");
        return text.insert(at, "\"max_age\": 3600, ");
    }());
    // A PATH with docker and nsenter but without iptables.
    const auto no_iptables_path = root_ / "bin-without-iptables";
    fs::create_directories(no_iptables_path);
    for (const char* tool : {"docker", "nsenter", "sh"}) {
        const auto found = sea::probes::run_process({"/bin/sh", "-c", std::string("command -v ") + tool}, 5s);
        if (found.ok()) fs::create_symlink(found.out.substr(0, found.out.find('\n')), no_iptables_path / tool);
    }
    const auto stale_images_env = root_ / "stale-state";
    fs::create_directories(stale_images_env);
    std::ofstream(stale_images_env / "images.env") << "SEA_OPA_IMAGE=sea-chaos/opa:gone\nSEA_GATEWAY_IMAGE=sea-chaos/policy-gateway:dev\n";

    const std::vector<Row> rows = {
        {"`CHAOS_SCENARIO=opa_restrat`", {{"CHAOS_SCENARIO", "opa_restrat"}}, "BAD INPUT: CHAOS_SCENARIO: unknown scenario 'opa_restrat' (known: "},
        {"`SEA_CHAOS_RUN_ID=\"my run\"`", {{"SEA_CHAOS_RUN_ID", "my run"}}, "BAD INPUT: SEA_CHAOS_RUN_ID: expected only [A-Za-z0-9._-], got 'my run'"},
        {"`SEA_CHAOS_RUN_ID=<65 chars>`", {{"SEA_CHAOS_RUN_ID", std::string(65, 'r')}}, "BAD INPUT: SEA_CHAOS_RUN_ID: expected at most 64 characters"},
        {"`SEA_CHAOS_RUN_STARTED_AT=yesterday`", {{"SEA_CHAOS_RUN_STARTED_AT", "yesterday"}},
         "BAD INPUT: SEA_CHAOS_RUN_STARTED_AT: expected ISO-8601 UTC"},
        {"`CHAOS_KEEP_STACK=maybe`", {{"CHAOS_KEEP_STACK", "maybe"}}, "BAD INPUT: CHAOS_KEEP_STACK: expected a flag"},
        {"`SEA_STOP_AT_VIOLATION=b,`", {{"SEA_STOP_AT_VIOLATION", "b,"}}, "BAD INPUT: SEA_STOP_AT_VIOLATION: expected invariant letters"},
        {"`SEA_REQUIRE_ALL=2`", {{"SEA_REQUIRE_ALL", "2"}}, "BAD INPUT: SEA_REQUIRE_ALL: expected a flag"},
        {"`SEA_COMPOSE=v3`", {{"SEA_COMPOSE", "v3"}}, "BAD INPUT: SEA_COMPOSE: expected v1 or v2, got 'v3'"},
        {"`CHAOS_COMPOSE_OVERRIDES=no/such.yml`", {{"CHAOS_COMPOSE_OVERRIDES", "no/such.yml"}}, "BAD INPUT: CHAOS_COMPOSE_OVERRIDES: no such file"},
        {"`CHAOS_COMPOSE_OVERRIDES=<broken YAML>`", {{"CHAOS_COMPOSE_OVERRIDES", broken_yaml.string()}}, "BAD INPUT: CHAOS_COMPOSE_OVERRIDES: "},
        {"`CHAOS_COMPOSE_OVERRIDES=<override with a misspelt key>`", {{"CHAOS_COMPOSE_OVERRIDES", bad_key_yaml.string()}},
         "BAD INPUT: CHAOS_COMPOSE_OVERRIDES: compose rejects the files: validating " + bad_key_yaml.string()},
        {"`SEA_OPA_PORT=abc`", {{"SEA_OPA_PORT", "abc"}}, "BAD INPUT: SEA_OPA_PORT: expected an integer in 1..65535, got 'abc'"},
        {"`SEA_GATEWAY_PORT=70000`", {{"SEA_GATEWAY_PORT", "70000"}}, "BAD INPUT: SEA_GATEWAY_PORT: expected an integer in 1..65535, got 70000"},
        {"`SEA_OPA_PORT=8080` (the gateway's port)", {{"SEA_OPA_PORT", "8080"}}, "BAD INPUT: SEA_GATEWAY_PORT: port 8080 is also SEA_OPA_PORT's"},
        {"`CHAOS_OPA_URL=...` (retired)", {{"CHAOS_OPA_URL", "http://127.0.0.1:8181"}}, "BAD INPUT: CHAOS_OPA_URL: no longer read"},
        {"`SEA_PG_PASSWORD=a@b`", {{"SEA_PG_PASSWORD", "a@b"}}, "BAD INPUT: SEA_PG_PASSWORD: must not contain"},
        {"`CHAOS_DOMAIN_A=\"sea a\"`", {{"CHAOS_DOMAIN_A", "sea a"}}, "BAD INPUT: CHAOS_DOMAIN_A: expected a JetStream domain"},
        {"`CHAOS_GATEWAY_OPA_TIMEOUT_MS=soon`", {{"CHAOS_GATEWAY_OPA_TIMEOUT_MS", "soon"}}, "BAD INPUT: CHAOS_GATEWAY_OPA_TIMEOUT_MS: expected an integer"},
        {"`SEA_OPA_IMAGE=\"Not An Image\"`", {{"SEA_OPA_IMAGE", "Not An Image"}}, "BAD INPUT: SEA_OPA_IMAGE: 'Not An Image' is not an image reference"},
        {"`SEA_OPA_IMAGE=sea-chaos/opa:not-built`", {{"SEA_OPA_IMAGE", "sea-chaos/opa:not-built"}},
         "BAD INPUT: SEA_OPA_IMAGE: image 'sea-chaos/opa:not-built' is not present locally (chosen by SEA_OPA_IMAGE (environment)); build or tag "
         "that image, or unset SEA_OPA_IMAGE",
         SEA_CHAOS_OPA_RESTART_BIN, false, true},
        {"`.state/images.env` names an image that is gone", {{"SEA_STATE_DIR", stale_images_env.string()}},
         "BAD INPUT: SEA_OPA_IMAGE: image 'sea-chaos/opa:gone' is not present locally (chosen by " + (stale_images_env / "images.env").string() +
             " (written by `just images`)); run `just images`",
         SEA_CHAOS_OPA_RESTART_BIN, false, true},
        {"`SEA_STATE_DIR=<a file>`", {{"SEA_STATE_DIR", a_file.string()}}, "BAD INPUT: SEA_STATE_DIR: '" + a_file.string() + "' exists and is not a directory"},
        {"`SEA_BUILD_ROOT=<a file>`", {{"SEA_BUILD_ROOT", a_file.string()}}, "BAD INPUT: SEA_BUILD_ROOT: '" + a_file.string() + "' exists and is not a directory"},
        {"`SEA_STACK_LOCK=<a directory>`", {{"SEA_STACK_LOCK", fs::temp_directory_path().string()}}, "BAD INPUT: SEA_STACK_LOCK: '"},
        {"`SEA_REPO_ROOT=/tmp`", {{"SEA_REPO_ROOT", "/tmp"}}, "BAD INPUT: SEA_REPO_ROOT: '/tmp' does not hold infra/docker/docker-compose.chaos.yml"},
        {"`SEA_MESH_A_PORT=abc`", {{"SEA_MESH_A_PORT", "abc"}}, "BAD INPUT: SEA_MESH_A_PORT: expected an integer in 1..65535, got 'abc'",
         SEA_CHAOS_MESH_BIN},
        {"`SEA_MESH_STREAMS_FILE=<file with max_age>`", {{"SEA_MESH_STREAMS_FILE", streams_max_age.string()}},
         "BAD INPUT: SEA_MESH_STREAMS_FILE: " + streams_max_age.string() + ": source.max_age: unknown key (did you mean 'max_age_s'?)",
         SEA_CHAOS_MESH_BIN},
        {"`SEA_MESH_STREAMS_FILE=/no/such.json`", {{"SEA_MESH_STREAMS_FILE", "/no/such.json"}},
         "BAD INPUT: SEA_MESH_STREAMS_FILE: cannot read '/no/such.json'", SEA_CHAOS_MESH_BIN},
        {"`iptables` not on `PATH` (the partition fault needs it)", {{"PATH", no_iptables_path.string()}},
         "BAD INPUT: PATH: iptables not found (profile nats-mesh's fault runs it on the host)", SEA_CHAOS_MESH_BIN},
        // The preflight's own rows (after the lock, which is free for them): one line per cause.
        {"no Docker daemon (`DOCKER_HOST` names no daemon), `SEA_REQUIRE_ALL=1`",
         {{"DOCKER_HOST", "unix://" + (root_ / "no-daemon.sock").string()}, {"SEA_REQUIRE_ALL", "1"}},
         "FAIL: the Docker daemon does not answer", SEA_CHAOS_OPA_RESTART_BIN, true},
        {"no Docker daemon, `SEA_REQUIRE_ALL=0` (skips)", {{"DOCKER_HOST", "unix://" + (root_ / "no-daemon.sock").string()}, {"SEA_REQUIRE_ALL", "0"}},
         "FAIL: the Docker daemon does not answer", SEA_CHAOS_OPA_RESTART_BIN, true, false, 0},
        {"no docker CLI on `PATH`", {{"PATH", "/nonexistent"}, {"SEA_REQUIRE_ALL", "1"}}, "FAIL: docker CLI 'docker' not found",
         SEA_CHAOS_OPA_RESTART_BIN, true},
        {"a host port is taken (`SEA_OPA_PORT=<port in use>`)", {{"SEA_OPA_PORT", std::to_string(taken.port())}},
         "FAIL: 127.0.0.1:" + std::to_string(taken.port()) + " is not free", SEA_CHAOS_OPA_RESTART_BIN, true, true},
    };

    const auto readme = read(fs::path(SEA_REPO_ROOT) / "README.md");
    const auto section_at = readme.find("\n## Bad input");
    const std::string readme_section =
        section_at == std::string::npos ? std::string() : readme.substr(section_at, readme.find("\n## ", section_at + 1) - section_at);
    std::string table = "| bad input | the one line it produces | answered in |\n|---|---|---|\n";
    std::chrono::milliseconds slowest{0};
    for (const auto& row : rows) {
        SCOPED_TRACE(row.input);
        if (row.needs_docker && !docker) {
            table += "| " + row.input + " | (not run: no Docker daemon) | |\n";
            continue;
        }
        const auto state = root_ / ("state-" + std::to_string(&row - rows.data()));
        const auto build = root_ / ("build-" + std::to_string(&row - rows.data()));
        fs::create_directories(state);
        if (!images_env_.empty()) std::ofstream(state / "images.env") << images_env_;
        const auto answer = run(row, state, build);
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(answer.result.elapsed);
        slowest = std::max(slowest, took);
        EXPECT_FALSE(answer.result.timed_out) << "it waited (for the lock?): " << answer.result.out;
        EXPECT_EQ(answer.result.exit_code, row.exit_code) << answer.result.out;
        EXPECT_LT(took, kAnswerBudget) << answer.result.out;
        EXPECT_EQ(answer.lines.size(), 1u) << "one line per cause:\n" << answer.result.out;
        if (answer.lines.empty()) continue;
        EXPECT_EQ(answer.lines[0].rfind(row.expected, 0), 0u) << "expected a line starting with\n  " << row.expected << "\ngot\n  " << answer.lines[0];
        EXPECT_NE(answer.lines[0].find("; "), std::string::npos) << "the line names the fix: " << answer.lines[0];
        if (row.preflight) {
            EXPECT_EQ((answer.result.out + answer.result.err).find("docker ps"), std::string::npos)
                << "nothing noisy before the preflight line:\n" << answer.result.err << answer.result.out;
        }
        EXPECT_EQ(leftovers(answer, row.env.count("SEA_STATE_DIR") ? fs::path(row.env.at("SEA_STATE_DIR")) : state, build, docker, !row.preflight), "")
            << answer.result.out;
        std::string line = answer.lines[0];
        if (line.size() > 1 && line.back() == '"') line.pop_back();
        for (const auto& [from, to] : {std::pair<std::string, std::string>{root_.string(), "$TMP"}, {SEA_REPO_ROOT, "<repo>"}, {"|", "\\|"}}) {
            for (auto at = line.find(from); at != std::string::npos; at = line.find(from, at + to.size())) line.replace(at, from.size(), to);
        }
        table += "| " + row.input + " | `` " + line + " `` | " + std::to_string(took.count()) + " ms |\n";
        EXPECT_NE(readme_section.find("| " + row.input + " |"), std::string::npos) << "README's \"Bad input\" table lacks this row";
    }
    std::ofstream(fs::path(SEA_BUILD_DIR) / "bad-inputs.md") << table << "\nslowest answer: " << slowest.count() << " ms\n";
    std::cout << table << "slowest answer: " << slowest.count() << " ms\n";
}

TEST_F(ScenarioCli, AnotherScenarioSelectedSkipsThisOne) {
    sea::probes::ProcessOptions options;
    options.env = {{"CHAOS_SCENARIO", "postgres_restart_outbox"}, {"SEA_STACK_LOCK", lock_path_.string()}};
    const auto r = sea::probes::run_process({SEA_CHAOS_OPA_RESTART_BIN}, 20s, options);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("[  SKIPPED ]"), std::string::npos) << r.out;
    EXPECT_LT(r.elapsed, kAnswerBudget) << "a skipped scenario does not wait for the (held) lock";
}

}  // namespace

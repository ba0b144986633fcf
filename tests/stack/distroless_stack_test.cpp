// The suite works with distroless upstream images (openpolicyagent/opa, otel/opentelemetry-collector-contrib:
// no shell, no curl), which users with a registry get from the compose defaults. Without a registry we build
// stand-ins of them here: FROM scratch + the static Go binaries of scripts/build-go-tools.sh + CA certificates,
// the upstream entrypoints (infra/docker/images/{opa,otelcol}-distroless). Then
//   * chaos-opa and chaos-observe come up with them (readiness is decided from the host: nothing inside runs),
//     and answer a decision / accept and export a span;
//   * opa_restart passes against the distroless OPA (the scenario binary, SEA_OPA_IMAGE pointing at it).
// The images are rebuilt by `docker build` each run; the classic builder's layer cache makes an unchanged
// rebuild take about a second.
#include "sea/fixtures/docker.hpp"
#include "sea/fixtures/env.hpp"
#include "sea/fixtures/eventually.hpp"
#include "sea/fixtures/machine_lock.hpp"
#include "sea/fixtures/preflight.hpp"
#include "sea/fixtures/profile.hpp"
#include "sea/fixtures/stack.hpp"
#include "sea/probes/collector_probe.hpp"
#include "sea/probes/http_probe.hpp"
#include "sea/probes/process.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using sea::fixtures::Deadline;
using sea::fixtures::Observation;
namespace fs = std::filesystem;

// Value of KEY=value in infra/docker/versions.env ("" when absent).
std::string version_of(const std::string& key) {
    std::ifstream in(sea::fixtures::repo_root() / "infra/docker/versions.env");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
    }
    return {};
}

// "static" when the ELF file has no PT_INTERP program header (no dynamic loader needed), else why not.
std::string elf_linkage(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    unsigned char ident[64] = {};
    if (!in.read(reinterpret_cast<char*>(ident), sizeof ident)) return "unreadable";
    if (std::memcmp(ident, "\x7f" "ELF", 4) != 0 || ident[4] != 2 || ident[5] != 1) return "not a 64-bit little-endian ELF file";
    std::uint64_t phoff = 0;
    std::uint16_t phentsize = 0, phnum = 0;
    std::memcpy(&phoff, ident + 32, 8);
    std::memcpy(&phentsize, ident + 54, 2);
    std::memcpy(&phnum, ident + 56, 2);
    for (std::uint16_t i = 0; i < phnum; ++i) {
        std::uint32_t type = 0;
        in.seekg(static_cast<std::streamoff>(phoff + std::uint64_t(i) * phentsize));
        if (!in.read(reinterpret_cast<char*>(&type), 4)) return "truncated program headers";
        if (type == 3) return "dynamically linked (has PT_INTERP)";
    }
    return "static";
}

// Builds infra/docker/images/<dir> as `tag` from a staged context of `files` (name in context -> source).
void build_image(const std::string& dir, const std::string& tag, const std::map<std::string, fs::path>& files) {
    const auto context = fs::temp_directory_path() / fmt::format("sea-distroless-{}-{}", dir, ::getpid());
    fs::remove_all(context);
    fs::create_directories(context);
    fs::copy_file(sea::fixtures::repo_root() / "infra/docker/images" / dir / "Dockerfile", context / "Dockerfile");
    for (const auto& [name, source] : files) {
        ASSERT_TRUE(fs::exists(source)) << source << " is missing: run scripts/build-go-tools.sh (or `just images`)";
        fs::copy_file(source, context / name);
    }
    sea::probes::ProcessOptions options;
    options.env["DOCKER_BUILDKIT"] = "0";  // the classic builder: no buildx plugin needed
    const auto built = sea::probes::run_process({"docker", "build", "-q", "-t", tag, context.string()}, 300s, options);
    fs::remove_all(context);
    ASSERT_TRUE(built.ok()) << built.describe() << "\n" << built.err;
    // Distroless for real: there is no shell to run a healthcheck with.
    const auto shell = sea::fixtures::docker({"run", "--rm", "--entrypoint", "/bin/sh", tag, "-c", "true"}, 60s);
    EXPECT_FALSE(shell.ok()) << tag << " has a shell";
}

class DistrolessStack : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        sea::fixtures::PreflightSpec spec;
        const auto result = sea::fixtures::preflight(spec);
        docker_ok_ = result.ok();
        docker_report_ = result.report();
    }

    void SetUp() override {
        if (!docker_ok_) {
            const char* require = std::getenv("SEA_REQUIRE_ALL");
            if (require != nullptr && std::string(require) == "1") FAIL() << docker_report_;
            GTEST_SKIP() << docker_report_;
        }
        const fs::path bin = fs::path(sea::fixtures::env_or("SEA_CACHE_DIR", (sea::fixtures::repo_root() / ".cache").string())) / "bin";
        for (const auto* tool : {"opa", "otelcol-sea"}) {
            ASSERT_EQ(elf_linkage(bin / tool), "static") << (bin / tool) << ": a FROM scratch image needs a static binary (CGO_ENABLED=0)";
        }
        const fs::path ca = "/etc/ssl/certs/ca-certificates.crt";
        ASSERT_NO_FATAL_FAILURE(build_image("opa-distroless", opa_image_, {{"opa", bin / "opa"}, {"ca-certificates.crt", ca}}));
        ASSERT_NO_FATAL_FAILURE(build_image("otelcol-distroless", otel_image_,
                                            {{"otelcol-sea", bin / "otelcol-sea"},
                                             {"ca-certificates.crt", ca},
                                             {"collector.yaml", sea::fixtures::repo_root() / "infra/otel/collector.yaml"}}));
    }

    // Brings `profile` up with `image_env` over the hermetic images, checks the distroless container really
    // runs `image`, runs `request`, tears down.
    void exercise(const sea::fixtures::Profile& profile, const std::string& variable, const std::string& image, const std::string& service,
                  const std::function<void()>& request) {
        const sea::fixtures::MachineLock lock;
        auto options = profile.stack_options("seadistroless");
        options.env[variable] = image;  // the process environment wins over compose's --env-file
        sea::fixtures::Stack stack(std::move(options));
        const auto t0 = std::chrono::steady_clock::now();
        ASSERT_NO_THROW(stack.up(Deadline::in(120s)));
        const auto up_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        std::cout << profile.name << " with " << image << " up in " << up_ms << " ms\n";
        const auto inspected = nlohmann::json::parse(sea::fixtures::docker({"inspect", stack.container(service).id()}, 30s).out, nullptr, false);
        ASSERT_TRUE(inspected.is_array() && !inspected.empty());
        EXPECT_EQ(inspected[0]["Config"].value("Image", ""), image);
        request();
        stack.down();
    }

    static inline bool docker_ok_ = false;
    static inline std::string docker_report_;
    const std::string opa_image_ = version_of("SEA_HERMETIC_OPA_IMAGE") + "-distroless";
    const std::string otel_image_ = version_of("SEA_HERMETIC_OTEL_IMAGE") + "-distroless";
};

TEST_F(DistrolessStack, OpaProfileComesUpAndDecides) {
    const auto& profile = sea::fixtures::profiles::opa();
    exercise(profile, "SEA_OPA_IMAGE", opa_image_, "opa", [&] {
        const auto body = R"({"subject":"mallory","action":"delete","resource":"events"})";
        const auto r = sea::probes::http_post(profile.url("gateway") + "/v1/authorize", body, "application/json", 2s);
        EXPECT_EQ(nlohmann::json::parse(r.body, nullptr, false).value("decision", std::string("none")), "deny") << r.body;
    });
}

TEST_F(DistrolessStack, ObserveProfileComesUpAndExportsASpan) {
    const auto& profile = sea::fixtures::profiles::observe();
    exercise(profile, "SEA_OTEL_IMAGE", otel_image_, "otel-collector", [&] {
        const auto sent = sea::probes::send_otlp_span(profile.url("collector"), sea::probes::new_trace_id(), sea::probes::new_span_id(),
                                                      "distroless", 2s);
        ASSERT_TRUE(sent.ok()) << sea::probes::to_string(sent.outcome) << " " << sent.status;
        ASSERT_EVENTUALLY("the collector exported the span to the backend", Deadline::in(30s), [&] {
            const auto m = sea::probes::scrape(profile.url("collector-metrics"), 2s);
            const double sent_spans = m.ok ? sea::probes::sum_of(m.metrics, "otelcol_exporter_sent_spans") : 0;
            return Observation(sent_spans >= 1, fmt::format("otelcol_exporter_sent_spans {}", sent_spans));
        });
    });
}

TEST_F(DistrolessStack, OpaScenarioPassesAgainstTheDistrolessOpa) {
    sea::probes::ProcessOptions options;
    options.env = {{"SEA_OPA_IMAGE", opa_image_}, {"CHAOS_SCENARIO", "opa_restart"}};
    const auto run = sea::probes::run_process({SEA_CHAOS_OPA_RESTART_BIN}, 600s, options);
    EXPECT_EQ(run.exit_code, 0) << run.describe() << "\n" << run.out.substr(run.out.size() > 6000 ? run.out.size() - 6000 : 0) << run.err;
    EXPECT_NE(run.out.find("[  PASSED  ] 1 test"), std::string::npos) << run.out.substr(0, 3000);
}

}  // namespace

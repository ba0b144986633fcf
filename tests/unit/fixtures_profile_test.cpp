// The endpoint table (fixtures/profile.hpp) is the one source of every port: the compose files' defaults agree
// with it, a SEA_*_PORT override moves the URL, the port compose is given and the readiness probe together,
// a retired CHAOS_*_URL or a malformed/duplicate port is one ConfigError naming the variable, and no service of
// a profile depends on a compose healthcheck (distroless upstream images cannot run one).
#include "sea/testsupport/scoped_env.hpp"
#include "sea/fixtures/env.hpp"
#include "sea/fixtures/profile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

namespace {

using namespace sea::fixtures;

using sea::testsupport::ScopedEnv;

std::string config_error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no ConfigError)";
}

struct PublishedPort {
    std::string service, variable;
    int default_port = 0, container_port = 0;
};

struct ComposeFacts {
    std::vector<PublishedPort> ports;
    std::map<std::string, std::set<std::string>> profiles_of;  // service -> compose profiles
    std::set<std::string> with_healthcheck;
    std::set<std::string> waiting_on_health;  // services with a depends_on condition service_healthy
};

// A line-level reading of our compose files (two-space service keys, ports as "127.0.0.1:${VAR:-N}:C").
ComposeFacts read_compose(const std::filesystem::path& file) {
    std::ifstream in(file);
    EXPECT_TRUE(in.good()) << file;
    ComposeFacts facts;
    const std::regex service_line(R"(^  ([a-z0-9-]+):\s*$)");
    const std::regex port_line(R"re(^\s*- "127\.0\.0\.1:\$\{(SEA_[A-Z0-9_]+):-([0-9]+)\}:([0-9]+)")re");
    const std::regex profiles_line(R"(^\s*profiles: \[([a-z0-9, -]+)\])");
    bool in_services = false;
    std::string service;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("services:", 0) == 0) {
            in_services = true;
            continue;
        }
        if (!line.empty() && line.front() != ' ' && line.front() != '#') in_services = false;
        std::smatch m;
        if (in_services && std::regex_match(line, m, service_line)) service = m[1];
        if (service.empty() || !in_services) continue;
        if (std::regex_search(line, m, port_line)) facts.ports.push_back({service, m[1], std::stoi(m[2]), std::stoi(m[3])});
        if (std::regex_search(line, m, profiles_line)) {
            std::stringstream list(m[1].str());
            for (std::string p; std::getline(list, p, ',');) facts.profiles_of[service].insert(std::regex_replace(p, std::regex(R"(\s)"), ""));
        }
        if (std::regex_search(line, std::regex(R"(^\s+healthcheck:)"))) facts.with_healthcheck.insert(service);
        if (line.find("service_healthy") != std::string::npos) facts.waiting_on_health.insert(service);
    }
    return facts;
}

const Endpoint* find_by_variable(const std::string& variable, const Profile** owner = nullptr) {
    for (const auto* p : profiles::all()) {
        for (const auto& e : p->endpoints) {
            if (e.port_variable == variable) {
                if (owner) *owner = p;
                return &e;
            }
        }
    }
    return nullptr;
}

TEST(Profile, ComposeDefaultsAgreeWithTheEndpointTable) {
    std::size_t checked = 0;
    for (const auto* file : {"infra/docker/docker-compose.chaos.yml", "infra/docker/docker-compose.mesh.yml"}) {
        const auto facts = read_compose(repo_root() / file);
        ASSERT_FALSE(facts.ports.empty()) << "no published port read from " << file;
        for (const auto& port : facts.ports) {
            const Profile* owner = nullptr;
            const auto* e = find_by_variable(port.variable, &owner);
            ASSERT_NE(e, nullptr) << file << ": " << port.variable << " (service " << port.service << ") has no endpoint in fixtures/src/profile.cpp";
            EXPECT_EQ(owner->compose_file, file) << port.variable;
            EXPECT_EQ(e->default_port, port.default_port) << file << ": ${" << port.variable << ":-" << port.default_port
                                                          << "} disagrees with the endpoint table (" << e->default_port << ")";
            EXPECT_EQ(e->container_port, port.container_port) << port.variable;
            EXPECT_EQ(e->service, port.service) << port.variable;
            ++checked;
        }
    }
    std::size_t endpoints = 0;
    for (const auto* p : profiles::all()) endpoints += p->endpoints.size();
    EXPECT_EQ(checked, endpoints) << "every endpoint of the table is published by its compose file, and only those";
}

// README's environment table lists each SEA_*_PORT with its default: "| `A` / `B` | `1` / `2` | ... |".
TEST(Profile, ReadmeEnvTableAgreesWithTheEndpointTable) {
    std::ifstream in(repo_root() / "README.md");
    std::map<std::string, std::string> readme_default;
    const std::regex code(R"(`([^`]+)`)");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("| `SEA_", 0) != 0) continue;
        std::vector<std::string> cells;
        std::stringstream row(line.substr(1));
        for (std::string cell; std::getline(row, cell, '|');) cells.push_back(cell);
        if (cells.size() < 2) continue;
        std::vector<std::string> names, values;
        for (std::sregex_iterator it(cells[0].begin(), cells[0].end(), code), end; it != end; ++it) names.push_back((*it)[1]);
        for (std::sregex_iterator it(cells[1].begin(), cells[1].end(), code), end; it != end; ++it) values.push_back((*it)[1]);
        for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) readme_default[names[i]] = values[i];
    }
    for (const auto* p : profiles::all()) {
        for (const auto& e : p->endpoints) {
            ASSERT_EQ(readme_default.count(e.port_variable), 1u) << e.port_variable << " missing from README's environment table";
            EXPECT_EQ(readme_default[e.port_variable], std::to_string(e.default_port)) << e.port_variable;
        }
    }
}

TEST(Profile, ServicesMatchTheComposeProfilesAndEachHasHostReadiness) {
    const auto chaos = read_compose(repo_root() / "infra/docker/docker-compose.chaos.yml");
    for (const auto* p : profiles::all()) {
        std::set<std::string> ready;
        for (const auto& r : p->ready) ready.insert(r.service);
        EXPECT_EQ(ready, std::set<std::string>(p->services.begin(), p->services.end())) << p->name << ": one readiness probe per service";
        if (p->compose_profiles.empty()) continue;
        std::set<std::string> in_compose;
        for (const auto& [service, profs] : chaos.profiles_of) {
            if (profs.count(p->compose_profiles.front()) > 0) in_compose.insert(service);
        }
        EXPECT_EQ(in_compose, std::set<std::string>(p->services.begin(), p->services.end())) << p->name;
    }
}

TEST(Profile, NoServiceWaitsOnAHealthcheckAndDistrolessImagesHaveNone) {
    const auto chaos = read_compose(repo_root() / "infra/docker/docker-compose.chaos.yml");
    EXPECT_TRUE(chaos.waiting_on_health.empty()) << "depends_on service_healthy in: " << *chaos.waiting_on_health.begin();
    for (const auto* distroless : {"opa", "otel-collector", "openobserve"}) {
        EXPECT_EQ(chaos.with_healthcheck.count(distroless), 0u) << distroless << ": the upstream image has no shell or curl";
    }
    const auto mesh = read_compose(repo_root() / "infra/docker/docker-compose.mesh.yml");
    EXPECT_TRUE(mesh.waiting_on_health.empty());
}

TEST(Profile, APortOverrideMovesUrlComposeEnvReadinessAndPreflightPorts) {
    const ScopedEnv port("SEA_OPA_PORT", "18181");
    const auto& opa = profiles::opa();
    EXPECT_EQ(opa.url("opa"), "http://127.0.0.1:18181");
    EXPECT_EQ(opa.compose_env().at("SEA_OPA_PORT"), "18181");
    const auto ports = opa.host_ports();
    EXPECT_NE(std::find(ports.begin(), ports.end(), 18181), ports.end());
    EXPECT_EQ(std::find(ports.begin(), ports.end(), 8181), ports.end());
    const auto probes = opa.readiness();
    ASSERT_FALSE(probes.empty());
    EXPECT_NE(probes.front().what.find("127.0.0.1:18181"), std::string::npos) << probes.front().what;
    const auto options = opa.stack_options("seaunit");
    EXPECT_EQ(options.env.at("SEA_OPA_PORT"), "18181");
    EXPECT_EQ(options.readiness.size(), opa.services.size());
}

TEST(Profile, MeshPortsMoveToo) {
    const ScopedEnv a("SEA_MESH_A_PORT", "14422");
    const ScopedEnv b1("SEA_MESH_B1_MONITOR_PORT", "19422");
    EXPECT_EQ(profiles::mesh().url("nats-a"), "nats://127.0.0.1:14422");
    EXPECT_EQ(profiles::mesh().url("monitor-b-1"), "http://127.0.0.1:19422");
    EXPECT_EQ(profiles::mesh().compose_env().at("SEA_MESH_B1_MONITOR_PORT"), "19422");
}

TEST(Profile, DefaultsAndThePostgresUrl) {
    EXPECT_EQ(profiles::opa().url("opa"), "http://127.0.0.1:8181");
    EXPECT_EQ(profiles::outbox().url("postgres"), "postgresql://sea:sea-chaos-local@127.0.0.1:5432/sea");
    EXPECT_EQ(profiles::observe().url("collector-metrics"), "http://127.0.0.1:8888/metrics");
    const ScopedEnv password("SEA_PG_PASSWORD", "other");
    EXPECT_EQ(profiles::outbox().url("postgres"), "postgresql://sea:other@127.0.0.1:5432/sea");
    EXPECT_EQ(profiles::outbox().compose_env().at("SEA_PG_PASSWORD"), "other");
}

TEST(Profile, ARetiredUrlVariableIsAnErrorNamingThePortVariable) {
    const ScopedEnv retired("CHAOS_OPA_URL", "http://127.0.0.1:18181");
    const auto text = config_error_of([] { profiles::opa().validate(); });
    EXPECT_NE(text.find("CHAOS_OPA_URL: no longer read"), std::string::npos) << text;
    EXPECT_NE(text.find("SEA_OPA_PORT"), std::string::npos) << text;
    EXPECT_NE(config_error_of([] { (void)profiles::opa().url("gateway"); }), "(no ConfigError)");
}

TEST(Profile, MalformedOrDuplicatePortsAreOneErrorNamingTheVariable) {
    {
        const ScopedEnv bad("SEA_GATEWAY_PORT", "80x");
        const auto text = config_error_of([] { profiles::opa().validate(); });
        EXPECT_NE(text.find("SEA_GATEWAY_PORT: expected an integer"), std::string::npos) << text;
        EXPECT_NE(config_error_of([] { (void)profiles::opa().url("gateway"); }), "(no ConfigError)");
    }
    {
        const ScopedEnv out_of_range("SEA_MESH_A2_MONITOR_PORT", "70000");
        const auto text = config_error_of([] { profiles::mesh().validate(); });
        EXPECT_NE(text.find("SEA_MESH_A2_MONITOR_PORT"), std::string::npos) << text;
    }
    {
        const ScopedEnv same("SEA_GATEWAY_PORT", "8181");
        const auto text = config_error_of([] { profiles::opa().validate(); });
        EXPECT_NE(text.find("SEA_GATEWAY_PORT"), std::string::npos) << text;
        EXPECT_NE(text.find("SEA_OPA_PORT"), std::string::npos) << text;
    }
    {
        const ScopedEnv bad("SEA_PG_PASSWORD", "a@b");
        const auto text = config_error_of([] { profiles::outbox().validate(); });
        EXPECT_NE(text.find("SEA_PG_PASSWORD: must not contain"), std::string::npos) << text;
    }
}

}  // namespace

// The real policy-gateway binary whose OPA host name never resolves: every lookup of it hangs, as through a DNS
// server that never answers (what compose's DNS does with a stopped OPA container's name: it forwards the vanished
// name upstream). Contract: every decision request is still answered within the OPA timeout + kSlack (100 ms), as
// a 503 deny naming OPA unreachable (fail closed, decision.hpp); liveness stays up, readiness down. It fails against
// libcurl's default of waiting for its resolver thread before returning (mutant gateway-resolver-wait, binary
// policy-gateway-mutant-resolver-wait, run through this test with $SEA_GATEWAY_BIN: each answer then takes the whole
// kHang); the fix is CURLOPT_QUICK_EXIT in opa_client.cpp.
// The hang comes from hung_lookup_preload.cpp (LD_PRELOAD: its getaddrinfo holds lookups of kHungHost; that works
// with libcurl's threaded resolver, the one the gateway links, not with c-ares). The test checks the shim was loaded
// and held at least one lookup per request, so it cannot pass without the hang. Only 127.0.0.1 is dialled.
#include "gateway_binary_test.hpp"
#include "sea/testsupport/poll.hpp"
#include "sea/testsupport/subprocess.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

namespace sea::gateway {
namespace {

using namespace std::chrono_literals;

constexpr auto kHang = 3s;    // each lookup of kHungHost: ten OPA timeouts (glibc waits 5 s per silent server)
constexpr int kRequests = 6;  // one after another: each leaves a lookup hanging behind it
const std::string kHungHost = "opa-hangs.invalid";

// The asan preset: LD_PRELOAD puts the shim before ASan's runtime in the library list, which ASan refuses unless told.
std::string asanOptions() {
    const char* inherited = std::getenv("ASAN_OPTIONS");
    const std::string before = inherited != nullptr && *inherited != '\0' ? std::string(inherited) + ":" : "";
    return before + "verify_asan_link_order=0";
}

std::size_t countOf(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
    return count;
}

class GatewayWithHungOpaLookup : public GatewayBinaryTest {
protected:
    void SetUp() override {
        startGateway("http://" + kHungHost + ":8181",
                     {{"LD_PRELOAD", SEA_HUNG_LOOKUP_PRELOAD},
                      {"SEA_HUNG_LOOKUP_HOST", kHungHost},
                      {"SEA_HUNG_LOOKUP_MS", std::to_string(std::chrono::milliseconds(kHang).count())},
                      {"ASAN_OPTIONS", asanOptions()},
                      {"no_proxy", "*"}});  // a proxy from the test's environment would be dialled instead of OPA
        ASSERT_TRUE(sea::testsupport::poll_until(10s, [&] { return status("/healthz") == 200; })) << log();
        ASSERT_NE(sea::testsupport::read_file(logPath()).find("hung-lookup-preload: loaded, lookups of " + kHungHost),
                  std::string::npos)
            << "LD_PRELOAD did not load the shim: " << log();
    }
};

TEST_F(GatewayWithHungOpaLookup, EveryDecisionIsA503DenyWithinTheOpaTimeout) {
    const auto answers = expectBoundedDenials(kRequests);
    std::string took;
    for (const auto& answer : answers) {
        took += std::to_string(answer.elapsed.count()) + " ms ";
        EXPECT_NE(answer.body.find(R"("decision":"deny")"), std::string::npos) << answer.body;
        EXPECT_NE(answer.body.find("OPA unreachable"), std::string::npos) << answer.body;
    }
    std::cout << "answers took: " << took << "(budget " << (kTimeout + kSlack).count() << " ms)\n";
    // Each request asked for OPA's name and met the hang (the probe thread's lookups come on top): no cached
    // address, no bypassed shim.
    EXPECT_GE(countOf(sea::testsupport::read_file(logPath()),
                      "hung-lookup-preload: holding the lookup of " + kHungHost),
              std::size_t{kRequests})
        << log();
    EXPECT_EQ(status("/healthz"), 200) << "liveness must not depend on OPA";
    const auto ready = get("/readyz");
    EXPECT_EQ(ready.first, 503) << ready.second;
    EXPECT_NE(ready.second.find(R"("opa":"unreachable")"), std::string::npos) << ready.second;
}

}  // namespace
}  // namespace sea::gateway

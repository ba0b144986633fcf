// LD_PRELOAD shim for the gateway's tests (gateway_hung_lookup_test.cpp): getaddrinfo() of ONE host name hangs
// like a lookup through a DNS server that never answers, then fails with EAI_AGAIN (what glibc returns when no
// server answered); every other name goes to the real getaddrinfo (dlsym(RTLD_NEXT)). It only works where the
// lookup is a getaddrinfo() call through the dynamic linker: libcurl's threaded resolver (not c-ares).
//   SEA_HUNG_LOOKUP_HOST  the name whose lookups hang (compared ignoring case); unset or empty: nothing changes
//   SEA_HUNG_LOOKUP_MS    how long each of its lookups hangs, 1..600000 (default 3000)
// Both are read once, when the library is loaded. It writes one stderr line when loaded (so a test can tell it is in
// the process) and one per lookup it holds (so a test can count them):
//   hung-lookup-preload: loaded, lookups of <host> hang <ms> ms
//   hung-lookup-preload: holding the lookup of <host> for <ms> ms
#include <dlfcn.h>
#include <netdb.h>
#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace {

using GetaddrinfoFn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);

// Plain globals, set by the constructor below: a std::string global lost the setting (its own initializer ran after
// this constructor and emptied it). hungHost points into the environment, which nobody here changes.
const char* hungHost = nullptr;  // null: the shim forwards every lookup
long hangMs = 3000;

__attribute__((constructor)) void loadSettings() {
    const char* host = std::getenv("SEA_HUNG_LOOKUP_HOST");
    if (host == nullptr || *host == '\0') return;
    hungHost = host;
    if (const char* ms = std::getenv("SEA_HUNG_LOOKUP_MS"); ms != nullptr) {
        char* end = nullptr;
        const long value = std::strtol(ms, &end, 10);
        if (end != ms && *end == '\0' && value >= 1 && value <= 600000) hangMs = value;
    }
    dprintf(STDERR_FILENO, "hung-lookup-preload: loaded, lookups of %s hang %ld ms\n", hungHost, hangMs);
}

void hang() {
    timespec left{hangMs / 1000, (hangMs % 1000) * 1000000L};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

}  // namespace

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints, addrinfo** res) {
    if (node != nullptr && hungHost != nullptr && strcasecmp(node, hungHost) == 0) {
        dprintf(STDERR_FILENO, "hung-lookup-preload: holding the lookup of %s for %ld ms\n", node, hangMs);
        hang();
        return EAI_AGAIN;
    }
    static const auto real = reinterpret_cast<GetaddrinfoFn>(dlsym(RTLD_NEXT, "getaddrinfo"));
    if (real == nullptr) return EAI_SYSTEM;
    return real(node, service, hints, res);
}

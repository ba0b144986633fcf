#pragma once
// libcurl client for OPA. Every call is bounded: CURLOPT_CONNECTTIMEOUT_MS and CURLOPT_TIMEOUT_MS are
// both the configured timeout, so a stopped, stalled or restarting OPA costs at most that long
// (NOSIGNAL is set: timeouts work in threads). One easy handle per calling thread is reused, so
// keep-alive connections survive between requests. A 2 s DNS cache: an OPA that restarts on a new address is found
// within 2 s. Quick exit: a name lookup that hangs ends with the request at the timeout (GatewayWithHungOpaLookup).
// Call curl_global_init() once before any thread.
#include <chrono>
#include <string>

namespace sea::gateway {

struct OpaReply {
    bool transportOk = false;  // an HTTP answer arrived in time
    long status = 0;           // HTTP status when transportOk
    std::string body;
    std::string error;         // curl's reason when !transportOk
};

class OpaClient {
public:
    explicit OpaClient(std::chrono::milliseconds timeout) : timeout_(timeout) {}
    OpaReply postJson(const std::string& url, const std::string& body) const;
    OpaReply get(const std::string& url) const;

private:
    OpaReply perform(const std::string& url, const std::string* postBody) const;
    std::chrono::milliseconds timeout_;
};

}  // namespace sea::gateway

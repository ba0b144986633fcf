#include "opa_client.hpp"

#include <curl/curl.h>

#include <memory>

namespace sea::gateway {
namespace {

struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};

CURL* threadHandle() {
    thread_local std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
    curl_easy_reset(handle.get());
    return handle.get();
}

size_t appendBody(char* data, size_t size, size_t count, void* userdata) {
    static_cast<std::string*>(userdata)->append(data, size * count);
    return size * count;
}

}  // namespace

OpaReply OpaClient::postJson(const std::string& url, const std::string& body) const { return perform(url, &body); }

OpaReply OpaClient::get(const std::string& url) const { return perform(url, nullptr); }

OpaReply OpaClient::perform(const std::string& url, const std::string* postBody) const {
    OpaReply reply;
    CURL* curl = threadHandle();
    if (curl == nullptr) {
        reply.error = "curl_easy_init failed";
        return reply;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
#ifdef SEA_MUTANT_RESOLVER_WAIT
    // MUTANT: no DNS cache and libcurl's default exit, which waits for a resolver thread still running: every request
    // resolves OPA's name, and while the name does not resolve (OPA's container stopped: compose's DNS forwards the
    // unknown name upstream) a lookup outlives the OPA timeout and the request waits for it.
    curl_easy_setopt(curl, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
#else
    // A 2 s DNS cache (libcurl's default is 60 s per handle): a restarted OPA container can come back on another
    // address (in compose, one a stopped neighbour freed), and each thread would keep dialling the old one for up to
    // a minute; 2 s bounds that staleness while most requests skip the lookup. Kept-alive connections are reused.
    curl_easy_setopt(curl, CURLOPT_DNS_CACHE_TIMEOUT, 2L);
    // The OPA timeout must bound the request even when a name lookup hangs: by default libcurl waits for its
    // resolver thread to finish before returning (found by the opa_stop chaos case: 136 of 770 answers took
    // > 800 ms against a 500 ms OPA timeout while OPA was stopped). Quick exit leaves the thread to finish alone.
    curl_easy_setopt(curl, CURLOPT_QUICK_EXIT, 1L);
#endif
#ifndef SEA_MUTANT_NO_TIMEOUT
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
#endif
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
    curl_slist* headers = nullptr;
    if (postBody != nullptr) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, postBody->c_str());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(postBody->size()));
    }
    const CURLcode code = curl_easy_perform(curl);
    if (code == CURLE_OK) {
        reply.transportOk = true;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    } else {
        reply.error = curl_easy_strerror(code);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    return reply;
}

}  // namespace sea::gateway

#pragma once
// Pure decision logic of policy-gateway: request validation, OPA input, OPA answer interpretation and
// the HTTP answers. FAIL CLOSED: anything but a well-formed OPA answer is an error (503, deny).
#include <string>
#include <variant>

namespace sea::gateway {

struct AuthorizeRequest {
    std::string subject;
    std::string action;
    std::string resource;
};

struct InvalidRequest {
    std::string reason;
};

constexpr std::size_t kMaxFieldLength = 1024;

// Parses {"subject": str, "action": str, "resource": str}: every field required, a non-empty string of
// at most kMaxFieldLength bytes; unknown fields are ignored.
std::variant<AuthorizeRequest, InvalidRequest> parseAuthorizeRequest(const std::string& body);

// {"input": {"subject": ..., "action": ..., "resource": ...}}
std::string opaInputJson(const AuthorizeRequest& request);

enum class Verdict { Allow, Deny, Error };

struct OpaOutcome {
    Verdict verdict;
    std::string reason;  // set for Deny-by-undefined and Error
};

// Interprets OPA's answer: 200 + {"result": true} = Allow, {"result": false} = Deny, no "result" key
// (policy or rule undefined) = Deny; any other status, non-JSON, non-object, or a non-boolean result = Error.
OpaOutcome interpretOpaAnswer(long httpStatus, const std::string& body);

struct HttpAnswer {
    int status;
    std::string body;
};

// 200 {"decision":"allow"|"deny"} for Allow/Deny; 503 {"decision":"deny","reason":...} for Error.
HttpAnswer answerFor(const OpaOutcome& outcome);
// 400 {"decision":"deny","reason":...}
HttpAnswer badRequest(const std::string& reason);

}  // namespace sea::gateway

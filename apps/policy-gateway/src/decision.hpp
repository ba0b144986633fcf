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
    std::string reason;  // set for Error
};

// Interprets OPA's answer: 200 + {"result": true} = Allow, {"result": false} = Deny; anything else is Error:
// no "result" key (decision undefined: OPA answers 200 {} while no policy is loaded, e.g. after a restart with its
// bundle server down), any other status, non-JSON, non-object, or a non-boolean result. The policy must define the
// decision for every input (`default allow := false`), so an undefined one means the policy is missing.
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

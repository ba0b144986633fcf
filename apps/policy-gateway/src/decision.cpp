#include "decision.hpp"

#include <nlohmann/json.hpp>

#include <fmt/core.h>

namespace sea::gateway {

using nlohmann::json;

std::variant<AuthorizeRequest, InvalidRequest> parseAuthorizeRequest(const std::string& body) {
    const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return InvalidRequest{"body is not valid JSON"};
    if (!doc.is_object()) return InvalidRequest{"body must be a JSON object"};
    AuthorizeRequest request;
    for (auto [name, field] : {std::pair{"subject", &request.subject}, std::pair{"action", &request.action},
                               std::pair{"resource", &request.resource}}) {
        const auto it = doc.find(name);
        if (it == doc.end()) return InvalidRequest{fmt::format("missing field \"{}\"", name)};
        if (!it->is_string()) return InvalidRequest{fmt::format("field \"{}\" must be a string", name)};
        *field = it->get<std::string>();
        if (field->empty()) return InvalidRequest{fmt::format("field \"{}\" must not be empty", name)};
        if (field->size() > kMaxFieldLength) {
            return InvalidRequest{fmt::format("field \"{}\" longer than {} bytes", name, kMaxFieldLength)};
        }
    }
    return request;
}

std::string opaInputJson(const AuthorizeRequest& request) {
    return json{{"input", {{"subject", request.subject}, {"action", request.action}, {"resource", request.resource}}}}
        .dump();
}

OpaOutcome interpretOpaAnswer(long httpStatus, const std::string& body) {
    if (httpStatus != 200) return {Verdict::Error, fmt::format("OPA answered HTTP {}", httpStatus)};
    const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return {Verdict::Error, "OPA answer is not a JSON object"};
    const auto it = doc.find("result");
    // Undefined: OPA answers 200 {} when no loaded policy defines the document (e.g. restarted while its bundle
    // server is down). Not a decision: fail closed like an unreachable OPA (503 deny), never a 200 deny.
    if (it == doc.end()) return {Verdict::Error, "policy decision undefined (policy not loaded?)"};
    if (!it->is_boolean()) return {Verdict::Error, "OPA result is not a boolean"};
    return {it->get<bool>() ? Verdict::Allow : Verdict::Deny, {}};
}

HttpAnswer answerFor(const OpaOutcome& outcome) {
    switch (outcome.verdict) {
        case Verdict::Allow:
            return {200, R"({"decision":"allow"})"};
        case Verdict::Deny:
            return {200, R"({"decision":"deny"})"};
        case Verdict::Error:
            break;
    }
    return {503, json{{"decision", "deny"}, {"reason", outcome.reason}}.dump()};
}

HttpAnswer badRequest(const std::string& reason) {
    return {400, json{{"decision", "deny"}, {"reason", reason}}.dump()};
}

}  // namespace sea::gateway

// Unit tests of the pure decision logic: request validation, OPA input, OPA answer interpretation.
#include "decision.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sea::gateway {
namespace {

std::string reasonOf(const std::string& body) {
    const auto parsed = parseAuthorizeRequest(body);
    const auto* invalid = std::get_if<InvalidRequest>(&parsed);
    return invalid != nullptr ? invalid->reason : "";
}

TEST(AuthorizeRequest, ParsesAValidRequestAndIgnoresUnknownFields) {
    const auto parsed = parseAuthorizeRequest(R"({"subject":"alice","action":"read","resource":"doc:1","x":1})");
    ASSERT_TRUE(std::holds_alternative<AuthorizeRequest>(parsed));
    const auto& request = std::get<AuthorizeRequest>(parsed);
    EXPECT_EQ(request.subject, "alice");
    EXPECT_EQ(request.action, "read");
    EXPECT_EQ(request.resource, "doc:1");
}

TEST(AuthorizeRequest, RejectsEveryMalformedBodyWithAReason) {
    EXPECT_EQ(reasonOf(""), "body is not valid JSON");
    EXPECT_EQ(reasonOf("{not json"), "body is not valid JSON");
    EXPECT_EQ(reasonOf("[1,2]"), "body must be a JSON object");
    EXPECT_EQ(reasonOf(R"({"action":"read","resource":"r"})"), "missing field \"subject\"");
    EXPECT_EQ(reasonOf(R"({"subject":"a","resource":"r"})"), "missing field \"action\"");
    EXPECT_EQ(reasonOf(R"({"subject":"a","action":"read"})"), "missing field \"resource\"");
    EXPECT_EQ(reasonOf(R"({"subject":1,"action":"read","resource":"r"})"), "field \"subject\" must be a string");
    EXPECT_EQ(reasonOf(R"({"subject":"a","action":null,"resource":"r"})"), "field \"action\" must be a string");
    EXPECT_EQ(reasonOf(R"({"subject":"a","action":"read","resource":""})"), "field \"resource\" must not be empty");
    const std::string longSubject(kMaxFieldLength + 1, 'x');
    EXPECT_EQ(reasonOf(R"({"subject":")" + longSubject + R"(","action":"read","resource":"r"})"),
              "field \"subject\" longer than 1024 bytes");
}

TEST(OpaInput, WrapsTheRequestInInput) {
    const auto doc = nlohmann::json::parse(opaInputJson({"al\"ice", "read", "doc:1"}));
    EXPECT_EQ(doc["input"]["subject"], "al\"ice");
    EXPECT_EQ(doc["input"]["action"], "read");
    EXPECT_EQ(doc["input"]["resource"], "doc:1");
}

TEST(OpaAnswer, TrueIsAllowFalseIsDeny) {
    EXPECT_EQ(interpretOpaAnswer(200, R"({"result":true})").verdict, Verdict::Allow);
    EXPECT_EQ(interpretOpaAnswer(200, R"({"result":false,"decision_id":"x"})").verdict, Verdict::Deny);
}

// 200 {} is what OPA answers while no policy is loaded (e.g. restarted with its bundle server down): not a
// decision, so an error (503 deny) like an unreachable OPA, never a 200 deny.
TEST(OpaAnswer, MissingResultIsAnErrorNotADecision) {
    const auto outcome = interpretOpaAnswer(200, "{}");
    EXPECT_EQ(outcome.verdict, Verdict::Error);
    EXPECT_NE(outcome.reason.find("undefined"), std::string::npos);
    EXPECT_EQ(interpretOpaAnswer(200, R"({"decision_id":"x"})").verdict, Verdict::Error);
    const auto answer = answerFor(outcome);
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(nlohmann::json::parse(answer.body)["decision"], "deny");
}

TEST(OpaAnswer, EverythingElseIsAnError) {
    EXPECT_EQ(interpretOpaAnswer(500, R"({"result":true})").verdict, Verdict::Error);
    EXPECT_EQ(interpretOpaAnswer(404, "").verdict, Verdict::Error);
    EXPECT_EQ(interpretOpaAnswer(200, "garbage").verdict, Verdict::Error);
    EXPECT_EQ(interpretOpaAnswer(200, "").verdict, Verdict::Error);
    EXPECT_EQ(interpretOpaAnswer(200, "[true]").verdict, Verdict::Error);
    EXPECT_EQ(interpretOpaAnswer(200, R"({"result":"true"})").verdict, Verdict::Error);
    EXPECT_EQ(interpretOpaAnswer(200, R"({"result":1})").verdict, Verdict::Error);
    EXPECT_EQ(interpretOpaAnswer(200, R"({"result":{"allow":true}})").verdict, Verdict::Error);
}

TEST(HttpAnswers, AllowDenyAndFailClosed) {
    EXPECT_EQ(answerFor({Verdict::Allow, {}}).status, 200);
    EXPECT_EQ(answerFor({Verdict::Allow, {}}).body, R"({"decision":"allow"})");
    EXPECT_EQ(answerFor({Verdict::Deny, {}}).status, 200);
    EXPECT_EQ(answerFor({Verdict::Deny, {}}).body, R"({"decision":"deny"})");
    const auto error = answerFor({Verdict::Error, "OPA unreachable: timeout"});
    EXPECT_EQ(error.status, 503);
    const auto doc = nlohmann::json::parse(error.body);
    EXPECT_EQ(doc["decision"], "deny");
    EXPECT_EQ(doc["reason"], "OPA unreachable: timeout");
    const auto bad = badRequest("missing field \"subject\"");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(nlohmann::json::parse(bad.body)["decision"], "deny");
}

}  // namespace
}  // namespace sea::gateway

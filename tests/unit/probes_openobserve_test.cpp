// Unit tests of the OpenObserve search probe against an in-process HTTP server answering like OpenObserve's
// POST /api/{org}/_search?type=traces (crafted answers: hits, paging, 400/401 error bodies, malformed JSON).
#include <gtest/gtest.h>

#include <mutex>

#include <nlohmann/json.hpp>

#include "sea/probes/openobserve_probe.hpp"
#include "sea/testsupport/local_http_server.hpp"
#include "sea/testsupport/ports.hpp"

using namespace std::chrono_literals;
namespace probes = sea::probes;

namespace {

const std::string kAuth = "Basic cm9vdEB0ZXN0OnNlY3JldA==";  // base64("root@test:secret")
const std::string kA = "00000000000000a1", kB = "00000000000000b2", kC = "00000000000000c3";

// A fake search endpoint: `answer` decides each reply; every request body is kept for inspection.
class OpenObserveProbeTest : public ::testing::Test {
protected:
    using Answer = std::function<void(const nlohmann::json& request, httplib::Response&)>;

    void serve(Answer answer) {
        answer_ = std::move(answer);
        server_.server().Post("/api/default/_search", [this](const httplib::Request& req, httplib::Response& res) {
            const auto body = nlohmann::json::parse(req.body, nullptr, false);
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(body);
                query_types_.push_back(req.get_param_value("type"));
            }
            if (req.get_header_value("Authorization") != kAuth) {
                res.status = 401;
                res.set_content(R"({"code":401,"message":"Unauthorized Access"})", "application/json");
                return;
            }
            answer_(body, res);
        });
        server_.start();
    }

    // Answers like the real server over `stored` (rows in arrival order, duplicates allowed).
    void serve_rows(std::vector<std::string> stored) {
        serve([stored](const nlohmann::json& request, httplib::Response& res) {
            const auto sql = request["query"]["sql"].get<std::string>();
            std::vector<std::string> matched;
            for (const auto& id : stored) {
                if (sql.find("'" + id + "'") != std::string::npos) matched.push_back(id);
            }
            const auto from = request["query"]["from"].get<std::size_t>(), size = request["query"]["size"].get<std::size_t>();
            nlohmann::json hits = nlohmann::json::array();
            for (std::size_t i = from; i < matched.size() && i < from + size; ++i) hits.push_back({{"span_id", matched[i]}});
            res.set_content(nlohmann::json{{"took", 1}, {"hits", hits}, {"total", hits.size()}, {"from", from}, {"size", size}}.dump(),
                            "application/json");
        });
    }

    probes::OpenObserveTarget target(const std::string& password = "secret") const {
        return {.base_url = server_.url(), .user = "root@test", .password = password};
    }

    probes::SpanPresence ask(const std::vector<std::string>& ids, probes::SpanSearchOptions options = {}, const std::string& password = "secret") {
        const auto now = std::chrono::system_clock::now();
        return probes::spans_present(target(password), ids, now - 60s, now, 2s, options);
    }

    sea::testsupport::LocalHttpServer server_;
    Answer answer_;
    std::mutex mutex_;
    std::vector<nlohmann::json> requests_;
    std::vector<std::string> query_types_;
};

TEST_F(OpenObserveProbeTest, FindsHeldIdsAndSendsTheRealRequestShape) {
    serve_rows({kA, kC});
    const auto before = std::chrono::system_clock::now();
    const auto r = ask({kA, kB, kC});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.found, (std::set<std::string>{kA, kC}));
    EXPECT_EQ(r.missing_of({kA, kB, kC}), 1u);
    EXPECT_EQ(r.queries, 1u);
    ASSERT_EQ(requests_.size(), 1u);
    EXPECT_EQ(query_types_[0], "traces");
    const auto& q = requests_[0]["query"];
    EXPECT_EQ(q["sql"], "SELECT span_id FROM \"default\" WHERE span_id IN ('00000000000000a1','00000000000000b2','00000000000000c3')");
    // µs since the epoch, the window [now - 60 s, now] (+1 µs: OpenObserve's end_time is exclusive).
    const auto before_us = probes::to_unix_micros(before);
    EXPECT_NEAR(static_cast<double>(q["start_time"].get<std::int64_t>()), static_cast<double>(before_us - 60'000'000), 1e6);
    EXPECT_GT(q["end_time"].get<std::int64_t>(), q["start_time"].get<std::int64_t>() + 59'000'000);
    EXPECT_EQ(q["from"], 0);
    EXPECT_EQ(q["size"], 500);
}

TEST_F(OpenObserveProbeTest, ChunksIdsAndPagesWhileAPageIsFull) {
    // kA stored three times (retried batches): with page size 2 the first chunk needs two pages.
    serve_rows({kA, kA, kA, kB, kC});
    const auto r = ask({kA, kB, kC}, {.ids_per_query = 2, .page_size = 2, .max_pages = 5});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.found, (std::set<std::string>{kA, kB, kC}));
    EXPECT_EQ(r.rows, 5u);
    // chunk {a,b}: 4 rows → pages of 2, 2, 0; chunk {c}: one short page.
    ASSERT_EQ(requests_.size(), 4u);
    EXPECT_EQ(requests_[1]["query"]["from"], 2);
    EXPECT_EQ(requests_[2]["query"]["from"], 4);
    EXPECT_EQ(requests_[3]["query"]["sql"], "SELECT span_id FROM \"default\" WHERE span_id IN ('00000000000000c3')");
}

TEST_F(OpenObserveProbeTest, TooManyPagesIsAnErrorNotALoop) {
    serve_rows(std::vector<std::string>(50, kA));
    const auto r = ask({kA}, {.ids_per_query = 100, .page_size = 5, .max_pages = 3});
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("more than 3 pages"), std::string::npos) << r.error;
    EXPECT_EQ(r.queries, 3u);
}

TEST_F(OpenObserveProbeTest, WrongPasswordIs401NamingTheVariables) {
    serve_rows({kA});
    const auto r = ask({kA}, {}, "wrong");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.last_status, 401);
    EXPECT_TRUE(r.found.empty());
    EXPECT_NE(r.error.find("HTTP 401"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("SEA_OPENOBSERVE_PASSWORD"), std::string::npos) << r.error;
}

TEST_F(OpenObserveProbeTest, BadRequestCarriesOpenObservesCodeMessageAndDetail) {
    serve([](const nlohmann::json&, httplib::Response& res) {
        res.status = 400;
        res.set_content(R"({"code":20002,"message":"Search stream not found: default","error_detail":"default"})", "application/json");
    });
    const auto r = ask({kA});
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.last_status, 400);
    EXPECT_EQ(r.error, "search answered HTTP 400: code 20002: Search stream not found: default (default)");
}

TEST_F(OpenObserveProbeTest, MalformedAnswersAreErrorsNotEmptyResults) {
    const std::vector<std::pair<std::string, std::string>> answers = {
        {"{ not json", "not {\"hits\":[...]}"},
        {R"({"total":0})", "not {\"hits\":[...]}"},
        {R"({"hits":{"span_id":"00000000000000a1"}})", "not {\"hits\":[...]}"},
        {R"({"hits":[{"trace_id":"x"}]})", "without a string span_id"},
        {R"({"hits":[{"span_id":7}]})", "without a string span_id"},
        {R"({"hits":[{"span_id":"00000000000000ff"}]})", "not asked for"},
    };
    std::size_t next = 0;
    serve([&](const nlohmann::json&, httplib::Response& res) { res.set_content(answers.at(next).first, "application/json"); });
    for (; next < answers.size(); ++next) {
        const auto r = ask({kA});
        EXPECT_FALSE(r.ok) << answers[next].first;
        EXPECT_NE(r.error.find(answers[next].second), std::string::npos) << answers[next].first << " -> " << r.error;
    }
}

TEST_F(OpenObserveProbeTest, InvalidInputIsRejectedBeforeAnyRequest) {
    serve_rows({kA});
    EXPECT_NE(ask({"00000000000000A1"}).error.find("not 16 lower-case hex"), std::string::npos);
    EXPECT_NE(ask({"'); DROP TABLE x; --"}).error.find("not 16 lower-case hex"), std::string::npos);
    EXPECT_NE(ask({kA}, {.ids_per_query = 0}).error.find("must be positive"), std::string::npos);
    auto bad = target();
    bad.base_url = "localhost:5080";
    EXPECT_NE(probes::spans_present(bad, {kA}, std::chrono::system_clock::now() - 1s, std::chrono::system_clock::now(), 1s).error.find("scheme"),
              std::string::npos);
    const auto epoch = std::chrono::system_clock::time_point{};
    EXPECT_NE(probes::spans_present(target(), {kA}, epoch, epoch, 1s).error.find("before the epoch"), std::string::npos);
    EXPECT_TRUE(requests_.empty());
}

TEST_F(OpenObserveProbeTest, NoIdsAskedIsOkWithoutARequest) {
    serve_rows({kA});
    const auto r = ask({});
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.queries, 0u);
}

TEST(OpenObserveProbe, ClosedPortIsAnErrorWithinTheTimeout) {
    const auto port = sea::testsupport::closed_loopback_port();
    const auto now = std::chrono::system_clock::now();
    const auto r = probes::spans_present({.base_url = "http://127.0.0.1:" + std::to_string(port), .user = "u", .password = "p"}, {kA},
                                         now - 1s, now, 1s);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("refused"), std::string::npos) << r.error;
}

TEST(OpenObserveProbe, RequestBodyIsOpenObservesSearchShape) {
    const auto body = nlohmann::json::parse(probes::search_request_body("SELECT 1", 10, 20, 0, 5));
    EXPECT_EQ(body, nlohmann::json::parse(R"({"query":{"sql":"SELECT 1","start_time":10,"end_time":20,"from":0,"size":5}})"));
}

}  // namespace

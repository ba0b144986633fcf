// HttpAnswer: one HTTP probe's answer as a History records it (ok = a 2xx arrived; describe = outcome and status).
#pragma once

#include "sea/fixtures/history.hpp"
#include "sea/probes/http_probe.hpp"

#include <string>

namespace sea::chaos {

struct HttpAnswer {
    probes::HttpResult http;
    [[nodiscard]] fixtures::Outcome outcome() const { return http.ok() ? fixtures::Outcome::ok : fixtures::Outcome::fail; }
    [[nodiscard]] std::string describe() const { return probes::to_string(http.outcome) + " " + std::to_string(http.status); }
};

}  // namespace sea::chaos

// One call of a probe as the bench records it: the value type of the bench's fixtures::History (the probe rows of
// part 1, the restart watchers of part 2), the same History the scenarios record into. outcome() and describe()
// make it recordable with History::add(sent, value); the statistics (stats.hpp) and the recovery detection
// (detect_model.hpp) read the History's ops.
#pragma once

#include "sea/fixtures/history.hpp"

#include <string>

namespace sea::bench {

struct CallOutcome {
    bool ok = false;
    std::string error;  // why it failed, "" when ok

    [[nodiscard]] fixtures::Outcome outcome() const { return ok ? fixtures::Outcome::ok : fixtures::Outcome::fail; }
    [[nodiscard]] std::string describe() const { return ok ? "ok" : error.empty() ? "failed (no message)" : error; }
};

using CallHistory = fixtures::History<CallOutcome>;
using CallOp = fixtures::Op<CallOutcome>;

}  // namespace sea::bench

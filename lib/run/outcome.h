// Whether a call did what its step expected: the first mismatch between
// a scenario's outcome (`-> -1 WANT_READ reason="..." alert_sent=...`) and
// the CallEvent observed, as the message a failed verdict carries.
// Internal to lib/run.
//
//   if (std::optional<std::string> m = Mismatch(*step.expect, event)) ...
#pragma once

#include <optional>
#include <string>

#include "lib/scenario/ast.h"
#include "lib/trace/event.h"

namespace tlsim::run {

// "expected WANT_READ, observed -1 WANT_WRITE"; nullopt when it matches.
std::optional<std::string> Mismatch(const scenario::Outcome& want,
                                    const trace::CallEvent& got);

// Whether a wire step (deliver, a fault) did what its `-> fails` asked, or,
// without one, whether it succeeded. `ok` and `error` are what it did;
// `did` says what a success did ("delivered 5 bytes").
//   "expected it to fail, it succeeded: delivered 5 bytes"
//   "expected a failure containing \"closed\", observed \"no record...\""
// Without an expectation a failure's message is `error` itself, as before.
std::optional<std::string> WireMismatch(
    const std::optional<scenario::WireOutcome>& want, bool ok,
    const std::string& error, const std::string& did);

}  // namespace tlsim::run

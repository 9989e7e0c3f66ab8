// How a scenario's run failed, reduced to what `tlsim shrink` keeps while it
// removes things: the failed step's kind and the first words of what went
// wrong (the observed verdict of a `run`, the property, side and observed
// value of an expectation, the call, the outcome item and the observed
// SSL_get_error name of a call). Two failures are "the same way" when both
// are equal; the caller also checks that the same step failed.
//
//   shrink::Failure f;
//   scenario::Diagnostic bad;
//   switch (shrink::RunText("a.tlsim", text, &f, &bad)) {
//     case shrink::RunResult::kRefused: ...bad.Format()...
//     case shrink::RunResult::kPassed: ...
//     case shrink::RunResult::kFailed: std::cout << f.Summary();
//   }
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"

namespace tlsim::shrink {

struct Failure {
  // The failed step's index in the steps that ran: the scenario's, its
  // `if` blocks resolved for the series here (run::Session::scenario()).
  size_t step = 0;
  int line = 0;  // its line in the text that ran
  // The step's kind: call, expect, run, drive, deliver, fault, connection,
  // set (close and clock steps cannot fail).
  std::string kind;
  // What else must stay the same, by kind: "observed deadlock",
  // "client version observed TLSv1.2", "client write: error, observed
  // WANT_WRITE", "server->client failed: no record N in flight (N records)".
  std::string how;
  std::string message;  // the verdict's message, whole

  // The same kind and the same `how`.
  [[nodiscard]] bool SameWay(const Failure& other) const {
    return kind == other.kind && how == other.how;
  }
  // "run: observed deadlock"
  [[nodiscard]] std::string Summary() const { return kind + ": " + how; }
};

enum class RunResult {
  kRefused,  // it does not parse, or a setting is refused (bad input)
  kPassed,
  kFailed,
  kNotApplicable,  // its `requires` excludes the series here: nothing ran
};

// Builds `scenario`'s world and runs it once, in this process. On kFailed,
// `out_failure` says how; on kRefused, `out_error` says why. `source` is
// the text `scenario` was parsed from (for the diagnostic's line).
[[nodiscard]] RunResult RunScenario(const scenario::Scenario& scenario,
                                    std::string_view source,
                                    Failure* out_failure,
                                    scenario::Diagnostic* out_error);

// Parses `text` as the file `file`, then RunScenario.
[[nodiscard]] RunResult RunText(std::string_view file, std::string_view text,
                                Failure* out_failure,
                                scenario::Diagnostic* out_error);

// `text` with every run of digits replaced by N: "asked for N bytes, only
// N in flight". Wire and connection failures are compared this way, so
// that a smaller payload's other byte counts still count as the same.
[[nodiscard]] std::string MaskNumbers(std::string_view text);

}  // namespace tlsim::shrink

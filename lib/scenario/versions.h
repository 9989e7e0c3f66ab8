// Version conditions: which of a scenario's steps run on one OpenSSL series.
// A file says what each series does with `requires openssl >= 3.5` (the
// series it applies to at all) and `if openssl < 3.5 { ... } else { ... }`
// blocks (or a step ending with `if openssl ...`); the conditions stay in
// the parsed Scenario, and ForSeries gives the plain scenario one series
// runs.
//
//   if (!scenario::Applies(s, series)) { ...NotApplicable(s, series)... }
//   scenario::Scenario plain = scenario::ForSeries(s, series);
//   for (const scenario::Step& step : plain.steps) ...  // no IfStep left
#pragma once

#include <string>
#include <vector>

#include "lib/proto/openssl_series.h"
#include "lib/scenario/ast.h"

namespace tlsim::scenario {

// "==", "!=", "<", "<=", ">", ">=".
const char* ComparisonName(Comparison op);

// Whether `series` passes `test`, and every test of `condition`.
[[nodiscard]] bool Holds(const VersionTest& test, proto::OpensslSeries series);
[[nodiscard]] bool Holds(const VersionCondition& condition,
                         proto::OpensslSeries series);

// The condition as written: "openssl >= 3.0 and openssl < 4.0".
std::string ConditionText(const VersionCondition& condition);

// Whether the scenario applies to `series`: it has no `requires`, or its
// requirement holds.
[[nodiscard]] bool Applies(const Scenario& scenario,
                           proto::OpensslSeries series);

// Why the scenario does not apply to `series`, as one line: "requires
// openssl >= 3.5; this is OpenSSL 3.0". Empty when it applies.
std::string NotApplicable(const Scenario& scenario,
                          proto::OpensslSeries series);

// Whether any step is an `if` block (one-line forms included): only then
// does ForSeries change the steps.
[[nodiscard]] bool HasBlocks(const Scenario& scenario);

// The steps that run on `series`, in order: each `if` block replaced by the
// steps of its first branch whose condition holds (none when none does),
// blocks inside it alike. Each step keeps its own position; everything else
// (the requirement included) is copied as it is. A scenario without blocks
// gives exactly itself.
Scenario ForSeries(const Scenario& scenario, proto::OpensslSeries series);
// The same for a list of steps: appends to `out` those that run.
void AppendForSeries(const std::vector<Step>& steps,
                     proto::OpensslSeries series, std::vector<Step>* out);

// The branch of `block` that runs on `series`, or nullptr when none does.
const Branch* TakenBranch(const IfStep& block, proto::OpensslSeries series);

}  // namespace tlsim::scenario

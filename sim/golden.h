// Golden traces: a scenario's expected text trace kept beside it
// (name.tlsim + name.trace), compared line by line with a run's trace.
//
//   std::string diff = sim::GoldenDiff(golden_text, run_text, "a.trace");
//   if (!diff.empty()) std::cerr << diff;
#pragma once

#include <string>

namespace tlsim::sim {

// The golden file that belongs to a scenario on an OpenSSL series: on the
// default series "x/a.tlsim" -> "x/a.trace", on another one (its name in
// `other_series`, e.g. "3.5") "x/a.openssl-3.5.trace": each series keeps
// its own, since what OpenSSL sends and answers differs between them.
std::string GoldenPath(const std::string& scenario_path,
                       const std::string& other_series = "");

// The trace as it is compared and stored: without the "# OpenSSL ..."
// header line, since the library loaded at run time may be a newer 3.0.x
// than the one that wrote the golden file, and with the scenario's path as
// given (which depends on where the user stands) cut to its file name.
std::string Comparable(const std::string& trace,
                       const std::string& scenario_path);

// A unified diff from `golden` to `actual` (both already Comparable), with
// `golden_name` in its header; empty when they are equal.
std::string GoldenDiff(const std::string& golden, const std::string& actual,
                       const std::string& golden_name);

}  // namespace tlsim::sim

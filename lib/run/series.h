// The OpenSSL series this process runs on, and a scenario as it runs here:
// its version conditions (`requires openssl ...`, `if openssl ... { }`)
// decided for that series. run::Session does this for every run; a caller
// that reads a scenario's steps itself before running it (the explorer)
// resolves it here first, the same way.
//
//   scenario::Scenario here;
//   std::string not_applicable;
//   scenario::Diagnostic bad;
//   if (!run::ResolveHere(parsed, source, &here, &not_applicable, &bad)) ...
//   if (!not_applicable.empty()) ...  // "requires openssl >= 3.5; this is
//                                     //  OpenSSL 3.0": nothing runs
#pragma once

#include <string>
#include <string_view>

#include "lib/proto/openssl_series.h"
#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"

namespace tlsim::run {

// Decides `scenario`'s conditions for the series of the libssl loaded
// (tls::RunningSeries): `*out_not_applicable` says why the scenario does
// not apply here (scenario::NotApplicable), or is empty; `*out_series` is
// the series. A scenario without conditions needs no series: it applies,
// whatever the release. Returns false with a Diagnostic at the first
// condition when the scenario has one and the release is none tlsim knows.
[[nodiscard]] bool DecideHere(const scenario::Scenario& scenario,
                              std::string_view source,
                              proto::OpensslSeries* out_series,
                              std::string* out_not_applicable,
                              scenario::Diagnostic* out_error);

// DecideHere, and `*out` the steps that run here (scenario::ForSeries).
[[nodiscard]] bool ResolveHere(const scenario::Scenario& scenario,
                               std::string_view source, scenario::Scenario* out,
                               std::string* out_not_applicable,
                               scenario::Diagnostic* out_error);

}  // namespace tlsim::run

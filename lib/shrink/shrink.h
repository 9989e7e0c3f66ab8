// `tlsim shrink`: from a scenario that fails, the smallest scenario that
// fails the same way (failure.h): delta debugging over its steps (the
// failed one stays; everything after it goes), its programs' operations,
// policies and `blocking`, the settings of its client, server and server
// context blocks (each option of `options` on its own), the pki entries and
// server contexts nothing references, and its payloads (halved while the
// failure holds). Every candidate is printed, parsed and run in this
// process, so the result passes `tlsim check` and fails `tlsim run` the
// same way; seeded keys are generated once per process (lib/tls/keys.h).
//
//   shrink::Options options;
//   options.on_reduction = [](const std::string& line) { std::cerr << line; };
//   shrink::Result result;
//   scenario::Diagnostic bad;
//   switch (shrink::Shrink(scenario, source, options, &result, &bad)) {
//     case shrink::Status::kShrunk: std::cout << result.text; break;
//     case shrink::Status::kPasses: ...nothing to shrink...
//     ...
//   }
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/proto/openssl_series.h"
#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/shrink/failure.h"

namespace tlsim::shrink {

struct Options {
  // Candidates tried at most (each parsed, built and run, or refused);
  // the shrink stops there with what it has, which fails the same way.
  int max_runs = 300;
  // Told how the original fails, once it has run, before any reduction.
  std::function<void(const Failure&)> on_failure;
  // Told each reduction as it is accepted, one line without a newline.
  std::function<void(const std::string&)> on_reduction;
};

// What a scenario holds, for the summary: before and after.
struct Size {
  size_t steps = 0;
  size_t settings = 0;    // client, server and context block lines
  size_t pki = 0;         // certificates
  size_t contexts = 0;    // server context blocks
  size_t operations = 0;  // program operations
  size_t payload = 0;     // bytes of every payload and read count
};
[[nodiscard]] Size Measure(const scenario::Scenario& scenario);
// "14 steps, 9 settings, 2 certificates, 0 contexts, 6 operations, 420
// payload bytes"
[[nodiscard]] std::string SizeText(const Size& size);

struct Result {
  Failure failure;              // how the original fails
  Failure shrunk;               // how the result fails (its text's lines)
  scenario::Scenario smallest;  // what is left (positions: the original's)
  std::string text;             // smallest in canonical form, to write out
  std::vector<std::string> reductions;  // one line per accepted reduction
  int runs = 0;          // candidates tried, refused ones included
  int refused = 0;       // candidates that did not parse or build
  bool bounded = false;  // stopped by Options::max_runs
  Size before, after;
  // The series the runs were on, when the scenario has `if` blocks: the
  // result fails that way there (the steps of other series' branches are
  // gone), and its text opens with a comment saying so.
  std::optional<proto::OpensslSeries> series;
  // Why nothing ran (Status::kNotApplicable): "requires openssl >= 3.5;
  // this is OpenSSL 3.0".
  std::string not_applicable;
};

enum class Status {
  kShrunk,         // result holds the smallest found (maybe the original)
  kRefused,        // the original does not build: out_error says why
  kPasses,         // the original passes: nothing to shrink
  kNotRepeated,    // the result, printed and parsed again, did not fail the
                   // same way (an unseeded scenario whose failure depends on
                   // the random bytes)
  kNotApplicable,  // the original's `requires` excludes the series here:
                   // nothing ran, nothing to shrink (result.not_applicable)
};

// Shrinks `original`, parsed from `source`. The original is run first.
[[nodiscard]] Status Shrink(const scenario::Scenario& original,
                            std::string_view source, const Options& options,
                            Result* out, scenario::Diagnostic* out_error);

}  // namespace tlsim::shrink

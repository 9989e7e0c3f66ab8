// Runs a parsed scenario step by step against real OpenSSL and says whether
// every expectation held.
//
//   run::Runner runner(scenario, source);
//   scenario::Diagnostic bad;
//   if (!runner.Prepare(&bad)) { ...bad input... }
//   trace::TextObserver text(&std::cout);
//   run::Verdict v = runner.Run({&text});
//   if (!v.passed) std::cerr << v.Message(scenario.file);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/run/world.h"
#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/trace/event.h"

namespace tlsim::run {

// The first expectation that failed, or a step that could not be carried
// out (a record that never arrived), with its line.
struct Verdict {
  bool passed = true;
  int line = 0;
  std::string message;  // "expected WANT_READ, observed WANT_WRITE (...)"

  // "file:line: message"; empty when passed.
  std::string Format(const std::string& file) const;
};

class Runner {
 public:
  // Borrows both; they must outlive the Runner.
  Runner(const scenario::Scenario& scenario, std::string_view source);

  // Builds the World: every setting goes through OpenSSL now, so bad input
  // is reported before any step runs. Returns false with the Diagnostic.
  [[nodiscard]] bool Prepare(scenario::Diagnostic* out_error);

  // Runs every step in order after a successful Prepare, telling each
  // observer about each step, and stops at the first failure.
  Verdict Run(const std::vector<trace::Observer*>& observers);

  // The NSS key log lines both sides wrote so far.
  const trace::KeyLog& keylog() const { return world_.keylog; }

 private:
  class Execution;
  const scenario::Scenario& scenario_;
  std::string_view source_;
  World world_;
  bool prepared_ = false;
};

}  // namespace tlsim::run

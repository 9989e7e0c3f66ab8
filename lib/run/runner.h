// Runs a parsed scenario from its first step to its last against real
// OpenSSL and says whether every expectation held: a loop over a
// run::Session (session.h), which runs one step at a time.
//
//   run::Runner runner(scenario, source);
//   scenario::Diagnostic bad;
//   if (!runner.Prepare(&bad)) { ...bad input... }
//   trace::TextObserver text(&std::cout);
//   run::Verdict v = runner.Run({&text});
//   if (!v.passed) std::cerr << v.Format(scenario.file);
#pragma once

#include <string_view>
#include <vector>

#include "lib/run/session.h"
#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/trace/event.h"

namespace tlsim::run {

class Runner {
 public:
  // Borrows both; they must outlive the Runner.
  Runner(const scenario::Scenario& scenario, std::string_view source)
      : session_(scenario, source) {}

  // Builds the World: every setting goes through OpenSSL now, so bad input
  // is reported before any step runs. Returns false with the Diagnostic.
  [[nodiscard]] bool Prepare(scenario::Diagnostic* out_error) {
    return session_.Prepare(out_error);
  }

  // Runs every step in order after a successful Prepare, telling each
  // observer about each step, and stops at the first failure. Runs once.
  Verdict Run(const std::vector<trace::Observer*>& observers);

  // The NSS key log lines both sides wrote so far.
  const trace::KeyLog& keylog() const { return session_.keylog(); }

  // The session underneath: to keep events (KeepEvents) before Run, and to
  // read them, the header and the footer after it.
  Session& session() { return session_; }

 private:
  Session session_;
};

}  // namespace tlsim::run

// Byte-identical runs: every shipped scenario, run twice with one seed, in
// one process and in two processes, sends the same bytes both ways.
//
// On 3.0 every shipped scenario must also pass. On every other series this
// test is only about byte-identical runs: a scenario whose expectations are
// 3.0's may fail there (the same way each time); what each series' runs do
// is checked by the scenarios themselves (their tests per series) and by
// outcomes_test against scenarios/outcomes-openssl-SERIES.txt.
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lib/run/runner.h"
#include "lib/scenario/parser.h"
#include "lib/tls/compat.h"
#include "lib/trace/event.h"
#include "tests/digests.h"
#include "tests/openssl_differences.h"
#include "tests/runfiles.h"

namespace tlsim {
namespace {

namespace fs = std::filesystem;
using tests::ReadAll;
using tests::Runfiles;

std::vector<fs::path> ScenarioFiles() {
  std::vector<fs::path> files;
  for (const auto& e :
       fs::recursive_directory_iterator(Runfiles() / "scenarios")) {
    if (e.path().extension() == ".tlsim") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Whether only the bytes must repeat, not the scenarios' 3.0 verdicts: on
// every series but 3.0 (see above).
bool BytesOnly() { return !tests::DefaultSeries(); }

// Runs a scenario in this process with `seed` (its own when it has one) and
// returns its digest lines.
std::string RunHere(const fs::path& file, uint64_t seed) {
  std::string source = ReadAll(file);
  scenario::Scenario s;
  scenario::Diagnostic d;
  REQUIRE(scenario::Parse(file.string(), source, &s, &d));
  if (!s.seed) s.seed = seed;
  run::Runner runner(s, source);
  // The shipped scenarios state what OpenSSL 3.0 does. 1.1.1 refuses a few
  // of their settings (a setting it lacks, named with its version) and
  // comes to other results in others: there, what must hold is that the
  // bytes repeat, whatever the verdict.
  const bool prepared = runner.Prepare(&d);
  if (BytesOnly() && !prepared) {
    CHECK_FALSE(d.message.empty());
    return "refused\n";
  }
  REQUIRE(prepared);
  tests::Digests digests;
  run::Verdict v = runner.Run({&digests});
  INFO(v.Format(file.string()));
  if (!BytesOnly()) CHECK(v.passed);
  if (!v.not_applicable.empty()) {
    // `requires` excludes this series: nothing ran, nothing was sent.
    CHECK(digests.TraceLines().empty());
    return "not applicable\n";
  }
  return digests.TraceLines();
}

// The same through the tlsim command, in a process of its own.
std::string RunElsewhere(const fs::path& file, uint64_t seed) {
  std::string scenario = ReadAll(file);
  bool has_seed = scenario.find("\nseed ") != std::string::npos ||
                  scenario.rfind("seed ", 0) == 0;
  fs::path trace = fs::path(std::getenv("TEST_TMPDIR")) / "saved.txt";
  fs::remove(trace);  // never the last run's
  std::string command = (Runfiles() / "sim/tlsim").string() + " run " +
                        file.string() + " --save-trace " + trace.string() +
                        (has_seed ? "" : " --seed " + std::to_string(seed)) +
                        " >/dev/null 2>&1";
  int status = std::system(command.c_str());
  CHECK(WIFEXITED(status));
  if (BytesOnly() && WEXITSTATUS(status) == 2) return "refused\n";
  // 1 when an expectation written for 3.0 fails (see BytesOnly).
  CHECK(
      (WEXITSTATUS(status) == 0 || (BytesOnly() && WEXITSTATUS(status) == 1)));
  std::string lines;
  const std::string saved = ReadAll(trace);
  if (saved.find("\n# not applicable: ") != std::string::npos) {
    return "not applicable\n";
  }
  std::istringstream in(saved);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# wire ", 0) == 0) lines += line + "\n";
  }
  return lines;
}

TEST_CASE("every scenario sends the same bytes twice in one process",
          "[determinism]") {
  std::vector<fs::path> files = ScenarioFiles();
  REQUIRE(files.size() >= 14);
  for (const fs::path& file : files) {
    INFO(file.string());
    std::string first = RunHere(file, 1);
    if (first != "refused\n" && first != "not applicable\n") {
      CHECK(first.find("sha256 ") != std::string::npos);
    }
    CHECK(RunHere(file, 1) == first);
  }
}

TEST_CASE("every scenario sends the same bytes in two processes",
          "[determinism]") {
  for (const fs::path& file : ScenarioFiles()) {
    INFO(file.string());
    std::string here = RunHere(file, 1);
    CHECK(RunElsewhere(file, 1) == here);
    CHECK(RunElsewhere(file, 1) == here);
  }
}

TEST_CASE("a different seed sends different bytes", "[determinism]") {
  fs::path file = Runfiles() / "scenarios/data/app_data_close_notify.tlsim";
  CHECK(RunHere(file, 1) != RunHere(file, 2));
}

}  // namespace
}  // namespace tlsim

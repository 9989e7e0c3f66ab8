// Prints how fast and how big scenario runs are: wall time per run (mean,
// minimum, maximum over --runs runs, each from parsing to verdict) and the
// process's peak resident memory. Not a test: numbers for people.
//
//   bazel run -c opt //tools/bench -- --runs 200
//   scenarios/delivery/byte_at_a_time.tlsim
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "lib/run/runner.h"
#include "lib/scenario/parser.h"
#include "sim/files.h"

namespace {

using Clock = std::chrono::steady_clock;

// One run, from source text to verdict; false when it did not pass.
bool RunOnce(const std::string& path, const std::string& source) {
  tlsim::scenario::Scenario s;
  tlsim::scenario::Diagnostic d;
  if (!tlsim::scenario::Parse(path, source, &s, &d)) {
    std::cerr << d.Format();
    return false;
  }
  tlsim::run::Runner runner(s, source);
  if (!runner.Prepare(&d)) {
    std::cerr << d.Format();
    return false;
  }
  tlsim::run::Verdict v = runner.Run({});
  if (!v.passed) std::cerr << v.Format(path) << "\n";
  return v.passed;
}

long PeakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Times scenario runs and reports peak memory.");
  int runs = 100;
  std::vector<std::string> files;
  app.add_option("--runs", runs, "runs per scenario")
      ->check(CLI::Range(1, 100000));
  app.add_option("files", files, "scenario files")->required();
  CLI11_PARSE(app, argc, argv);

  std::cout << "scenario  runs  mean_ms  min_ms  max_ms  peak_rss_kib\n";
  for (const std::string& file : files) {
    std::string text;
    if (!tlsim::sim::ReadFile(tlsim::sim::UserPath(file), &text)) {
      std::cerr << file << ": error: cannot read the file\n";
      return 2;
    }
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
      Clock::time_point start = Clock::now();
      if (!RunOnce(file, text)) return 1;
      ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start)
              .count());
    }
    double sum = 0;
    for (double m : ms) sum += m;
    std::cout << file << "  " << runs << "  " << sum / runs << "  "
              << *std::min_element(ms.begin(), ms.end()) << "  "
              << *std::max_element(ms.begin(), ms.end()) << "  " << PeakRssKib()
              << "\n";
  }
  return 0;
}

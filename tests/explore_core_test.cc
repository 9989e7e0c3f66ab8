// The explorer's engine, observed: every emitted path replays with the
// bytes the exploration saw, worker processes and fork snapshots find the
// same runs, the fault sweep fills its table, and bad requests are refused.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "lib/explore/explorer.h"
#include "lib/run/runner.h"
#include "lib/scenario/parser.h"
#include "lib/trace/event.h"
#include "tests/digests.h"
#include "tests/http_exchange.h"
#include "tests/openssl_differences.h"
#include "tests/parse_helpers.h"
#include "tests/runfiles.h"

namespace tlsim {
namespace {

namespace fs = std::filesystem;
using tests::ReadAll;

const std::string& kHttp = tests::kHttpExchange;

using scenario::MustParse;

fs::path TempDir(const char* name) {
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  return dir;
}

TEST_CASE("every emitted path replays with the bytes the exploration saw") {
  scenario::Scenario s = MustParse(kHttp);
  explore::Options options;
  // The splits of the server's first flight play the server back from
  // the baseline's tape: their paths replay with both sides real.
  options.families = {explore::Family::kChunks, explore::Family::kOrder,
                      explore::Family::kSplits};
  options.split_delivery = 2;
  options.emit_dir = TempDir("emit").string();
  explore::Report report;
  std::string error;
  REQUIRE(explore::Explore(s, kHttp, options, &report, &error));
  CHECK(report.violations.empty());
  CHECK(report.played > 100);
  REQUIRE(report.emitted.size() >= 3);
  for (const std::string& file : report.emitted) {
    INFO(file);
    const std::string text = ReadAll(file);
    const size_t at = text.find("# Wire: ");
    REQUIRE(at != std::string::npos);
    const std::string wire = text.substr(at + 8, text.find('\n', at) - at - 8);
    scenario::Scenario plain;
    scenario::Diagnostic d;
    REQUIRE(scenario::Parse(file, text, &plain, &d));
    CHECK(plain.programs.empty());
    run::Runner runner(plain, text);
    REQUIRE(runner.Prepare(&d));
    tests::Digests digests;
    run::Verdict v = runner.Run({&digests});
    INFO(v.Format(file));
    CHECK(v.passed);
    CHECK(digests.WireLine() == wire);
  }
}

TEST_CASE("workers and fork snapshots find the same runs") {
  scenario::Scenario s = MustParse(kHttp);
  explore::Options options;
  options.families = {explore::Family::kChunks, explore::Family::kSplits,
                      explore::Family::kOrder};
  options.split_delivery = 3;  // the client's Finished and request
  explore::Report workers, forks;
  std::string error;
  REQUIRE(explore::Explore(s, kHttp, options, &workers, &error));
  options.fork_at_branch = true;
  REQUIRE(explore::Explore(s, kHttp, options, &forks, &error));
  REQUIRE(workers.runs.size() == forks.runs.size());
  CHECK(workers.runs.size() > 50);
  REQUIRE(workers.coverage.size() == forks.coverage.size());
  for (const auto& [key, entry] : workers.coverage) {
    INFO(key);
    REQUIRE(forks.coverage.count(key) == 1);
    CHECK(forks.coverage.at(key).runs == entry.runs);
  }
}

TEST_CASE("playing the sender back from the baseline's tape changes no run") {
  scenario::Scenario s = MustParse(kHttp);
  explore::Options options;
  options.families = {explore::Family::kSplits};
  explore::Report taped, real;
  std::string error;
  REQUIRE(explore::Explore(s, kHttp, options, &taped, &error));
  options.tape = false;
  REQUIRE(explore::Explore(s, kHttp, options, &real, &error));
  // Split schedules played their sender back. Splitting the client's
  // Finished and request makes the server answer sooner than on the tape,
  // so the client's tape diverges there and those runs ran again, until
  // each worker had seen four in a row diverge and split the rest of that
  // delivery with both sides real.
  const int64_t splits = static_cast<int64_t>(taped.runs.size()) - 1;
  CHECK(taped.played > splits / 2);
  CHECK(taped.played < splits);
  CHECK(taped.diverged == 8);  // 4 in a row in each of the two workers
  CHECK(taped.diverged < taped.played);
  CHECK(real.played == 0);
  REQUIRE(taped.runs.size() == real.runs.size());
  for (size_t i = 0; i < taped.runs.size(); ++i) {
    const explore::RunResult& a = taped.runs[i];
    const explore::RunResult& b = real.runs[i];
    INFO(a.schedule);
    CHECK(a.schedule == b.schedule);
    CHECK(a.verdict == b.verdict);
    CHECK(a.digest == b.digest);
    CHECK(a.path == b.path);
    CHECK(a.client_read == b.client_read);
    CHECK(a.server_read == b.server_read);
    CHECK(a.client_end == b.client_end);
    CHECK(a.server_end == b.server_end);
  }
  REQUIRE(taped.coverage.size() == real.coverage.size());
  for (const auto& [key, entry] : taped.coverage) {
    INFO(key);
    REQUIRE(real.coverage.count(key) == 1);
    CHECK(real.coverage.at(key).runs == entry.runs);
    CHECK(real.coverage.at(key).first_number == entry.first_number);
  }
}

TEST_CASE("the fault sweep: every kind on every record, within its bounds") {
  scenario::Scenario s = MustParse(kHttp);
  explore::Options options;
  options.families = {explore::Family::kFaults};
  explore::Report report;
  std::string error;
  REQUIRE(explore::Explore(s, kHttp, options, &report, &error));
  INFO(explore::ReportText(report));
  CHECK(report.violations.empty());
  const std::string table = explore::FaultTable(report);
  CHECK(table.find("| corrupt last byte record 1 of server->client | ") !=
        std::string::npos);
  CHECK(table.find("decryption failed or bad record mac") != std::string::npos);
  // A reset fails the reader with ECONNRESET (SYSCALL), not a wait.
  CHECK(table.find("| reset record 1 of client->server | ") !=
        std::string::npos);
  // 3.x leaves the SSL in the state it was in; 4.0 takes it to "error".
  const std::string state =
      tests::SyscallErrorIsFatal() ? "error" : "before SSL initialization";
  CHECK(report.coverage.count("server | accept | accept | " + state +
                              " | -1 | SYSCALL | -") == 1);
  size_t rows = 0;
  for (const explore::RunResult& r : report.runs) rows += !r.fault.empty();
  CHECK(rows % 9 == 0);
  CHECK(rows >= 9 * 8);
}

TEST_CASE("explorations it cannot or should not run are refused") {
  explore::Report report;
  std::string error;
  explore::Options options;
  SECTION("no run step") {
    std::string text = kHttp;
    text.erase(text.rfind("run"));
    scenario::Scenario s = MustParse(text);
    CHECK_FALSE(explore::Explore(s, text, options, &report, &error));
    CHECK_THAT(error, Catch::Contains("no `run` step"));
  }
  SECTION("more runs than allowed, saying how many it would take") {
    scenario::Scenario s = MustParse(kHttp);
    options.families = {explore::Family::kSplits};
    options.max_runs = 10;
    CHECK_FALSE(explore::Explore(s, kHttp, options, &report, &error));
    CHECK_THAT(error, Catch::Contains("more than --max-runs 10"));
    CHECK_THAT(error, Catch::Contains("pass --max-runs"));
  }
  SECTION("an emit folder that is not empty") {
    scenario::Scenario s = MustParse(kHttp);
    fs::path dir = TempDir("full");
    fs::create_directories(dir);
    std::ofstream(dir / "x.tlsim") << "x";
    options.emit_dir = dir.string();
    CHECK_FALSE(explore::Explore(s, kHttp, options, &report, &error));
    CHECK_THAT(error, Catch::Contains("exists and is not empty"));
  }
}

}  // namespace
}  // namespace tlsim

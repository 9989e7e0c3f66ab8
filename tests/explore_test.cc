// tlsim explore as Bazel runs it: sharded (TEST_TOTAL_SHARDS,
// TEST_SHARD_INDEX) and merged with `tlsim coverage merge`; and the
// explorer finding openssl#7967 by itself in an HTTP-like TLS 1.3 exchange
// with default settings, emitting a scenario that reproduces it.

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "lib/explore/coverage.h"
#include "tests/command.h"
#include "tests/openssl_differences.h"
#include "tests/runfiles.h"

namespace tlsim {
namespace {

namespace fs = std::filesystem;
using tests::ReadAll;
using tests::Runfiles;
using Json = nlohmann::json;

std::string Tlsim() { return (Runfiles() / "sim/tlsim").string(); }

std::string Scenario(const std::string& name) {
  return (Runfiles() / "scenarios" / name).string();
}

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  return dir;
}

using Result = tests::CommandResult;  // out: stdout and stderr

// Runs `command` in a shell without the test's own sharding variables
// (plus `env`, e.g. "TEST_TOTAL_SHARDS=3 TEST_SHARD_INDEX=1"); its
// standard output and error, and exit code.
Result Shell(const std::string& command, const std::string& env = "") {
  return tests::RunCommand(
      "env -u TEST_TOTAL_SHARDS -u TEST_SHARD_INDEX "
      "-u TEST_SHARD_STATUS_FILE -u TEST_UNDECLARED_OUTPUTS_DIR " +
          env + " " + command,
      /*merge_stderr=*/true);
}

// "N runs here" from the first line of the explorer's report.
int RunsHere(const std::string& report) {
  std::smatch m;
  REQUIRE(std::regex_search(report, m, std::regex(": (\\d+) runs here")));
  return std::stoi(m[1]);
}

// The coverage as key -> runs (the first schedule left out).
std::map<std::string, int64_t> RunsPerEntry(const std::string& jsonl) {
  std::map<std::string, int64_t> out;
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    Json j = Json::parse(line);
    std::string key;
    for (const char* f :
         {"side", "operation", "call", "state", "ret", "error", "alert"}) {
      key += j[f].get<std::string>() + " | ";
    }
    out[key] = j["runs"].get<int64_t>();
  }
  return out;
}

TEST_CASE(
    "three shards run every schedule once; merged, their coverage is "
    "the unsharded exploration's",
    "[explore][shards]") {
  const std::string file = Scenario("explore/http_tls13.tlsim");
  fs::path dir = TempDir("shards");
  fs::create_directories(dir);
  Result whole =
      Shell(Tlsim() + " explore " + file + " --family buffers --coverage " +
            (dir / "whole.jsonl").string());
  INFO(whole.out);
  REQUIRE(whole.exit_code == 1);  // the deadlocks: see below
  const int all = RunsHere(whole.out);
  CHECK(all == 25);  // the baseline and 8 sizes x 3 dimensions
  int sum = 0;
  std::string shard_files;
  for (int k = 0; k < 3; ++k) {
    fs::path cov = dir / ("shard-" + std::to_string(k) + ".jsonl");
    Result shard =
        Shell(Tlsim() + " explore " + file + " --family buffers --coverage " +
                  cov.string(),
              "TEST_TOTAL_SHARDS=3 TEST_SHARD_INDEX=" + std::to_string(k));
    INFO(shard.out);
    CHECK(shard.out.find("(25 in all shards)") != std::string::npos);
    const int here = RunsHere(shard.out);
    CHECK(here < all);
    sum += here;
    shard_files += " " + cov.string();
  }
  CHECK(sum == all);
  Result merged =
      Shell(Tlsim() + " coverage merge --format jsonl" + shard_files);
  REQUIRE(merged.exit_code == 0);
  CHECK(RunsPerEntry(merged.out) == RunsPerEntry(ReadAll(dir / "whole.jsonl")));
}

TEST_CASE(
    "tlsim explore under bazel test writes its shard's coverage into "
    "the undeclared outputs and touches the shard status file",
    "[explore][shards]") {
  fs::path dir = TempDir("outputs");
  fs::create_directories(dir);
  Result r =
      Shell(Tlsim() + " explore " + Scenario("explore/http_tls12.tlsim") +
                " --family buffers",
            "TEST_TOTAL_SHARDS=2 TEST_SHARD_INDEX=1 "
            "TEST_SHARD_STATUS_FILE=" +
                (dir / "status").string() +
                " TEST_UNDECLARED_OUTPUTS_DIR=" + dir.string());
  INFO(r.out);
  CHECK(r.exit_code == 0);  // TLS 1.2: no deadlock at any size
  CHECK(fs::exists(dir / "status"));
  std::string coverage = ReadAll(dir / "coverage-shard-1.jsonl");
  CHECK(!coverage.empty());
  CHECK(!fs::exists(dir / "coverage-shard-0.jsonl"));
}

TEST_CASE(
    "tlsim explore says how many runs played a side back, and --no-tape "
    "calls OpenSSL for both sides with the same coverage",
    "[explore][tape]") {
  const std::string file = Scenario("explore/http_tls12.tlsim");
  Result taped = Shell(Tlsim() + " explore " + file +
                       " --family splits --split-delivery 2");
  INFO(taped.out);
  CHECK(taped.exit_code == 0);
  // A run per split point of the server's first flight, less the baseline:
  // 610 bytes on 3.0 and 3.5, 608 on 3.6 and 4.0, whose TLS 1.2
  // ServerHello is two bytes shorter (63 against 65).
  const std::string played =
      "# " + std::to_string(tests::PerSeries<int>{609, 609, 607, 607}.Here()) +
      " runs played";
  CHECK(taped.out.find(played +
                       " the sender of their split "
                       "delivery back from the baseline's tape; 0 diverged "
                       "and ran again with both sides real\n") !=
        std::string::npos);
  Result real = Shell(Tlsim() + " explore " + file +
                      " --family splits --split-delivery 2 --no-tape");
  INFO(real.out);
  CHECK(real.exit_code == 0);
  CHECK(real.out.find("played") == std::string::npos);
  // The same report below its first line (which has the time).
  auto body = [&played](const std::string& out) {
    std::string rest = out.substr(out.find('\n') + 1);
    const size_t line = rest.find(played);
    if (line != std::string::npos) {
      rest.erase(line, rest.find('\n', line) + 1 - line);
    }
    return rest;
  };
  CHECK(body(taped.out) == body(real.out));
}

TEST_CASE(
    "exploring the buffers of an HTTP-like TLS 1.3 exchange finds "
    "openssl#7967's deadlock and emits a scenario that reproduces it",
    "[explore][7967]") {
  fs::path emit = TempDir("emit");
  Result r =
      Shell(Tlsim() + " explore " + Scenario("explore/http_tls13.tlsim") +
            " --family buffers --emit " + emit.string());
  INFO(r.out);
  REQUIRE(r.exit_code == 1);
  CHECK(r.out.find("## invariants: 2 violated") != std::string::npos);
  CHECK(r.out.find("buffers: send_buffer, recv_buffer and network_capacity "
                   "= 128 on both sides: deadlock: no side can move") !=
        std::string::npos);
  CHECK(r.out.find("server accept waits for writable after accept -> -1 "
                   "WANT_WRITE in \"SSLv3/TLS write session ticket\"") !=
        std::string::npos);
  int deadlocks = 0;
  for (const auto& e : fs::directory_iterator(emit)) {
    std::string text = ReadAll(e.path());
    if (text.find("\n# Run verdict: deadlock\n") == std::string::npos) continue;
    ++deadlocks;
    INFO(e.path().string());
    CHECK(text.find("network_capacity = ") != std::string::npos);
    Result replay = Shell(Tlsim() + " run " + e.path().string());
    INFO(replay.out);
    CHECK(replay.exit_code == 0);
    // The emitted plain steps end with both sides blocked in a write.
    CHECK(replay.out.find("PASS") != std::string::npos);
    CHECK(text.rfind("-> -1 WANT_WRITE") != std::string::npos);
  }
  CHECK(deadlocks == 2);  // 64 and 128 bytes
}

TEST_CASE(
    "the same exchange over TLS 1.2 survives every buffer size: its "
    "ticket is part of the handshake",
    "[explore][7967]") {
  Result r = Shell(Tlsim() + " explore " +
                   Scenario("explore/http_tls12.tlsim") + " --family buffers");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("## invariants: none violated") != std::string::npos);
}

// Whether the coverage has a WANT_WRITE entry for `side`.
bool WantWrite(const std::string& jsonl, const std::string& side) {
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    Json j = Json::parse(line);
    if (j["side"] == side && j["error"] == "WANT_WRITE") return true;
  }
  return false;
}

TEST_CASE(
    "the TLS 1.3 exploration's coverage shows WANT_WRITE on both "
    "sides under the buffers family, and on neither under chunks",
    "[explore][coverage]") {
  const std::string file = Scenario("explore/http_tls13.tlsim");
  Result buffers =
      Shell(Tlsim() + " explore " + file + " --family buffers --format jsonl");
  CHECK(WantWrite(buffers.out, "client"));
  CHECK(WantWrite(buffers.out, "server"));
  // Default buffers take every write whole: the delivery schedules alone
  // (chunks, splits, order) never make a side wait to write.
  Result chunks =
      Shell(Tlsim() + " explore " + file + " --family chunks --format jsonl");
  CHECK(chunks.exit_code == 0);
  CHECK(!WantWrite(chunks.out, "client"));
  CHECK(!WantWrite(chunks.out, "server"));
}

constexpr char kEntry[] =
    R"({"alert":"-","call":"read","error":"WANT_READ","first_schedule":"%s",)"
    R"("operation":"read 4","ret":"-1","runs":%d,"side":"server","state":"ok"})";

std::string Entry(const std::string& schedule, int runs) {
  char buf[512];
  std::snprintf(buf, sizeof buf, kEntry, schedule.c_str(), runs);
  return std::string(buf) + "\n";
}

TEST_CASE(
    "merging coverage sums the runs and keeps the first shard's "
    "schedule",
    "[explore][coverage]") {
  explore::CoverageMerge merge;
  scenario::Diagnostic d;
  REQUIRE(merge.Add("a.jsonl", Entry("chunks: 1 bytes at a time", 3), &d));
  REQUIRE(merge.Add("b.jsonl", Entry("baseline: x", 4), &d));
  REQUIRE(merge.coverage().size() == 1);
  const explore::CoverageEntry& e = merge.coverage().begin()->second;
  CHECK(merge.coverage().begin()->first ==
        "server | read 4 | read | ok | -1 | WANT_READ | -");
  CHECK(e.runs == 7);
  CHECK(e.first_schedule == "chunks: 1 bytes at a time");
  CHECK(explore::MergedCoverageText(merge.coverage(), merge.shards()) ==
        "# coverage of 2 shards: 1 entries\n"
        "## coverage: side | operation | call | state | ret | error | alert "
        "-> runs, first schedule\n"
        "server | read 4 | read | ok | -1 | WANT_READ | - -> 7 runs, first "
        "chunks: 1 bytes at a time\n");
  CHECK(explore::MergedCoverageJsonLines(merge.coverage()) ==
        Entry("chunks: 1 bytes at a time", 7));
}

TEST_CASE(
    "a coverage line that is not an entry is an error at its line, "
    "and adds nothing of its file",
    "[explore][coverage]") {
  explore::CoverageMerge merge;
  scenario::Diagnostic d;
  std::string bad = Entry("a", 1) + "{\"side\":\"client\",\"runs\":2}\n";
  CHECK_FALSE(merge.Add("shard-1.jsonl", bad, &d));
  CHECK(d.Format() ==
        "shard-1.jsonl:2:1: error: the entry has no 'operation' (a string)\n"
        "{\"side\":\"client\",\"runs\":2}\n"
        "^\n");
  CHECK(merge.coverage().empty());
  CHECK_FALSE(merge.Add("x.jsonl", "not json\n", &d));
  CHECK(d.message.find("not a JSON object") == 0);
  Result r = Shell(Tlsim() + " coverage merge /nonexistent/c.jsonl");
  CHECK(r.exit_code == 2);
  CHECK(r.out ==
        "/nonexistent/c.jsonl: error: cannot read the coverage "
        "file\n");
}

}  // namespace
}  // namespace tlsim

// `tlsim versions` and `tlsim run --openssl ...`: which versions' tlsim is
// built next to the one under test, and the matrix of one file run on each.
// What is built differs between machines (and the tlsim of another series,
// under NAME_openssl_3_5, has no versions beside it), so every case first
// reads `tlsim versions` and checks the rest against it.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/command.h"
#include "tests/runfiles.h"

namespace tlsim {
namespace {

namespace fs = std::filesystem;
using tests::Runfiles;
using Result = tests::CommandResult;

const std::vector<std::string> kSeries = {"1.1.1", "3.0", "3.5", "3.6", "4.0"};

Result Tlsim(const std::string& args) {
  return tests::RunCommand("timeout 120 " +
                           (Runfiles() / "sim/tlsim").string() + " " + args);
}

std::string Write(const std::string& name, const std::string& text) {
  fs::path p = fs::path(std::getenv("TEST_TMPDIR")) / name;
  std::ofstream(p) << text;
  return p.string();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Series -> built, from `tlsim versions`.
std::map<std::string, bool> Built() {
  Result r = Tlsim("versions");
  REQUIRE(r.exit_code == 0);
  std::map<std::string, bool> built;
  for (const std::string& line : Lines(r.out)) {
    std::string series = line.substr(0, line.find(' '));
    built[series] = line.find("not built") == std::string::npos;
  }
  return built;
}

const char kPki[] = R"(seed 1
pki {
  ca root
  leaf server.test issuer=root
}
)";

// A handshake that completes on every version.
std::string Handshake(const std::string& client_extra = "") {
  return std::string("scenario \"m\"\n") + kPki +
         "client {\n  verify = peer\n  trust = root\n" + client_extra +
         "}\nserver {\n  cert = server.test\n}\ndrive -> done\n";
}

// The matrix row of `series` and the line after it.
std::pair<std::string, std::string> Row(const std::string& out,
                                        const std::string& series) {
  std::vector<std::string> lines = Lines(out);
  std::string head = "  " + series;
  head.resize(9, ' ');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(head, 0) == 0) {
      return {lines[i].substr(head.size()),
              i + 1 < lines.size() ? lines[i + 1] : ""};
    }
  }
  FAIL("no row for " << series << " in:\n" << out);
  return {};
}

TEST_CASE("tlsim versions lists every series, its own built", "[matrix]") {
  Result r = Tlsim("versions");
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> lines = Lines(r.out);
  REQUIRE(lines.size() == kSeries.size());
  Result own = Tlsim("--version");
  int built = 0;
  for (size_t i = 0; i < kSeries.size(); ++i) {
    INFO(lines[i]);
    CHECK(lines[i].rfind(kSeries[i] + " ", 0) == 0);
    if (lines[i].find("not built") != std::string::npos) {
      CHECK(lines[i].find("tools/setup --openssl " + kSeries[i]) !=
            std::string::npos);
      continue;
    }
    ++built;
    // "3.5    OpenSSL 3.5.7 9 Jun 2026": the binary's own words.
    CHECK(lines[i].find("OpenSSL " + kSeries[i]) != std::string::npos);
  }
  CHECK(built >= 1);
  // The tlsim under test is among them, as what it says of itself.
  std::string self = own.out.substr(own.out.find('(') + 1);
  self = self.substr(0, self.find(')'));
  CHECK(r.out.find(self) != std::string::npos);
}

TEST_CASE("run --openssl all: a row per series, departures from 3.0",
          "[matrix]") {
  std::map<std::string, bool> built = Built();
  std::string file = Write("all.tlsim", Handshake());
  Result r = Tlsim("run --openssl all " + file);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Lines(r.out)[0] == file);
  for (const std::string& series : kSeries) {
    auto [row, next] = Row(r.out, series);
    if (!built[series]) {
      CHECK(row.rfind("not built: tools/setup --openssl " + series, 0) == 0);
      continue;
    }
    CHECK(row == "pass");
    if (series != "3.0" && built["3.0"]) {
      // Every other version's ClientHello or keys differ from 3.0's.
      CHECK(next.rfind("         departs from 3.0 at: #", 0) == 0);
    }
  }
}

TEST_CASE("run --openssl: a failed expectation on its row, exit 1",
          "[matrix]") {
  std::map<std::string, bool> built = Built();
  std::string text = Handshake() + "expect client handshake_done = no\n";
  std::string file = Write("fails.tlsim", text);
  Result r = Tlsim("run --openssl all " + file);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  for (const std::string& series : kSeries) {
    if (!built[series]) continue;
    CHECK(Row(r.out, series).first ==
          "fail: " + file +
              ":15: client handshake_done: expected no, observed yes");
  }
}

TEST_CASE("run --openssl: a setting one version refuses is bad input there",
          "[matrix]") {
  std::map<std::string, bool> built = Built();
  // X25519MLKEM768 came with 3.5.
  std::string file =
      Write("mlkem.tlsim", Handshake("  groups = X25519MLKEM768\n"));
  Result r = Tlsim("run --openssl all " + file);
  INFO(r.out << r.err);
  bool refused_somewhere = false;
  for (const std::string& series : kSeries) {
    if (!built[series]) continue;
    std::string row = Row(r.out, series).first;
    if (series == "1.1.1" || series == "3.0") {
      refused_somewhere = true;
      CHECK(row.rfind("bad input: " + file +
                          ":10:12: error: client groups: "
                          "OpenSSL refused 'X25519MLKEM768'",
                      0) == 0);
      CHECK(row.find("this is OpenSSL " + series) != std::string::npos);
    } else {
      CHECK(row == "pass");
    }
  }
  CHECK(r.exit_code == (refused_somewhere ? 2 : 0));
}

TEST_CASE("bad --openssl values are bad input and run nothing", "[matrix]") {
  std::string file = Write("ok.tlsim", Handshake());
  SECTION("an unknown version") {
    Result r = Tlsim("run --openssl 3.0,2.0 " + file);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "tlsim: error: --openssl 3.0,2.0: '2.0' is not an OpenSSL version "
          "tlsim runs on; known: 1.1.1, 3.0, 3.5, 3.6, 4.0, or all\n");
  }
  SECTION("a version named twice") {
    Result r = Tlsim("run --openssl 3.5,3.5 " + file);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "tlsim: error: --openssl 3.5,3.5: 3.5 is named twice\n");
  }
  SECTION("an empty list") {
    Result r = Tlsim("run --openssl , " + file);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
  }
  SECTION("an option the matrix does not take") {
    Result r = Tlsim("run --openssl all --trace " + file);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("of the other options it takes only --seed") !=
          std::string::npos);
  }
  SECTION("a version that is not built names the command that builds it") {
    for (const auto& [series, is_built] : Built()) {
      if (is_built) continue;
      Result r = Tlsim("run --openssl " + series + " " + file);
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK(r.err.find("tools/setup --openssl " + series) != std::string::npos);
    }
  }
  SECTION("a file that does not parse is checked before anything runs") {
    std::string bad = Write("bad.tlsim", "scenario \"b\"\nclient {\n");
    Result r = Tlsim("run --openssl all " + bad);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
  }
}

}  // namespace
}  // namespace tlsim

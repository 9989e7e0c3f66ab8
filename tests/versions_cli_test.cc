// Version conditions through the tlsim command: a scenario its `requires`
// leaves out says "not applicable" in one line and passes (run, check,
// explore; shrink has nothing to shrink), `if` blocks run the branch of
// the series tlsim runs on, `fmt` keeps them, and shrink keeps them too.
// What each series does is read from the tlsim under test (`--version`),
// so the test holds on every series it is built for.
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/command.h"
#include "tests/runfiles.h"

namespace tlsim {
namespace {

namespace fs = std::filesystem;
using tests::ReadAll;
using tests::Runfiles;
using Result = tests::CommandResult;

std::string TlsimPath() { return (Runfiles() / "sim/tlsim").string(); }

// tlsim with `args`, standard error apart; killed after two minutes.
Result Tlsim(const std::string& args) {
  return tests::RunCommand("timeout 120 " + TlsimPath() + " " + args);
}

std::string Write(const std::string& name, const std::string& text) {
  fs::path p = fs::path(std::getenv("TEST_TMPDIR")) / name;
  std::ofstream(p) << text;
  return p.string();
}

// The series of the tlsim under test, from `tlsim --version`: "tlsim 0.1
// (OpenSSL 3.0.19 27 Jan 2026)" is 3.0, "(OpenSSL 1.1.1w ...)" 1.1.1.
std::string TlsimSeries() {
  Result r = Tlsim("--version");
  REQUIRE(r.exit_code == 0);
  const std::string tag = "(OpenSSL ";
  size_t at = r.out.find(tag);
  REQUIRE(at != std::string::npos);
  std::string version = r.out.substr(at + tag.size());
  if (version.rfind("1.1.1", 0) == 0) return "1.1.1";
  size_t dot = version.find('.');
  REQUIRE(dot != std::string::npos);
  return version.substr(0, version.find('.', dot + 1));
}

bool Before35(const std::string& series) {
  return series == "1.1.1" || series == "3.0";
}

const char kHandshake[] = R"(seed 1
pki {
  ca root
  leaf server.test issuer=root
}
client {
  versions = TLSv1.3
  verify = peer
  trust = root
  server_name = server.test
}
server {
  versions = TLSv1.3
  cert = server.test
}
drive -> done
)";

TEST_CASE("requires openssl >= 4.0 is not applicable before 4.0, and says so",
          "[versions][cli]") {
  const std::string series = TlsimSeries();
  INFO("tlsim runs on OpenSSL " << series);
  // On 4.0 it runs and fails at its last line; before, nothing runs.
  std::string path =
      Write("requires_4_0.tlsim", std::string("requires openssl >= 4.0\n") +
                                      kHandshake +
                                      "expect client version = TLSv1.2\n");
  Result r = Tlsim("run " + path);
  if (series == "4.0") {
    CHECK(r.exit_code == 1);
    return;
  }
  CHECK(r.exit_code == 0);
  CHECK(r.out == path +
                     ": not applicable: requires openssl >= 4.0; this is "
                     "OpenSSL " +
                     series + "\n");
  CHECK(r.err.empty());
}

TEST_CASE("every command says a scenario does not apply, in one line",
          "[versions][cli]") {
  const std::string series = TlsimSeries();
  const std::string why = "not applicable: requires openssl != " + series +
                          "; this is OpenSSL " + series;
  // A group no series has: the settings are not built where it does not
  // apply.
  std::string path =
      Write("elsewhere.tlsim", "requires openssl != " + series +
                                   "\nclient {\n  groups = nosuchgroup\n}\n"
                                   "client connect -> 1\n");
  Result run = Tlsim("run " + path);
  CHECK(run.exit_code == 0);
  CHECK(run.out == path + ": " + why + "\n");

  Result trace = Tlsim("run --trace " + path);
  CHECK(trace.exit_code == 0);
  CHECK(trace.out.find("# not applicable: requires openssl != " + series) !=
        std::string::npos);
  CHECK(trace.out.find("# pass") == std::string::npos);
  CHECK(trace.out.find("\n#1 ") == std::string::npos);

  Result json = Tlsim("run --trace --format=jsonl " + path);
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("{\"type\":\"not_applicable\",\"message\":\"" +
                      why.substr(std::string("not applicable: ").size()) +
                      "\"}\n") != std::string::npos);

  Result check = Tlsim("check " + path);
  CHECK(check.exit_code == 0);
  CHECK(check.out == path + ": " + why + "\n");

  Result explore = Tlsim("explore " + path);
  CHECK(explore.exit_code == 0);
  CHECK(explore.out == path + ": " + why + "\n");

  Result shrink = Tlsim("shrink " + path);
  CHECK(shrink.exit_code == 2);
  CHECK(shrink.out.empty());
  CHECK(shrink.err == path + ": " + why + "; nothing to shrink\n");
}

TEST_CASE("if blocks run the branch of the series tlsim runs on",
          "[versions][cli]") {
  const std::string series = TlsimSeries();
  INFO("tlsim runs on OpenSSL " << series);
  const std::string shipped =
      (Runfiles() / "scenarios/versions/default_group.tlsim").string();
  Result pass = Tlsim("run " + shipped);
  INFO(pass.err);
  CHECK(pass.exit_code == 0);
  CHECK(pass.out == "PASS " + shipped + "\n");

  // The same expectations with the conditions the other way round: the
  // branch that runs now expects the other series' group, and fails.
  std::string text = ReadAll(shipped);
  const std::vector<std::pair<std::string, std::string>> swaps = {
      {"< 3.5", "@@"}, {">= 3.5", "< 3.5"}, {"@@", ">= 3.5"}};
  for (const auto& [from, to] : swaps) {
    size_t at;
    while ((at = text.find(from)) != std::string::npos) {
      text.replace(at, from.size(), to);
    }
  }
  REQUIRE(text.find("if openssl >= 3.5 {") != std::string::npos);
  std::string swapped = Write("swapped.tlsim", text);
  Result fail = Tlsim("run " + swapped);
  CHECK(fail.exit_code == 1);
  const std::string want = Before35(series) ? "X25519MLKEM768" : "X25519";
  const std::string seen = Before35(series) ? "X25519" : "X25519MLKEM768";
  // OpenSSL spells the group its own way ("x25519" on 3.0).
  auto lower = [](std::string t) {
    for (char& c : t) c = static_cast<char>(std::tolower(c));
    return t;
  };
  CHECK(lower(fail.err).find(lower(": client group: expected " + want +
                                   ", observed " + seen + "\n")) !=
        std::string::npos);
}

TEST_CASE("fmt keeps requires, blocks and one-line conditions",
          "[versions][cli]") {
  std::string path = Write("blocks.tlsim",
                           "requires   openssl >=1.1.1   and openssl <=4.0\n"
                           "drive -> done   if openssl != 3.6\n"
                           "if openssl <3.5 {\n"
                           "expect client version = TLSv1.3\n"
                           "   }   else {\n"
                           "  if openssl == 4.0 {\n"
                           "  clock advance 1h\n"
                           "  }\n"
                           "}\n");
  Result fmt = Tlsim("fmt " + path);
  CHECK(fmt.exit_code == 0);
  CHECK(fmt.out ==
        "requires openssl >= 1.1.1 and openssl <= 4.0\n"
        "\n"
        "drive deliver=all first=client limit=10000 -> done if openssl != "
        "3.6\n"
        "if openssl < 3.5 {\n"
        "  expect client version = TLSv1.3\n"
        "} else {\n"
        "  if openssl == 4.0 {\n"
        "    clock advance 1h\n"
        "  }\n"
        "}\n");
  std::string again = Write("formatted.tlsim", fmt.out);
  Result twice = Tlsim("fmt " + again);
  CHECK(twice.out == fmt.out);
}

TEST_CASE("a bad condition is bad input with its place", "[versions][cli]") {
  std::string path = Write("bad.tlsim",
                           "drive -> done\n"
                           "if openssl >= 3.2 {\n"
                           "}\n");
  Result r = Tlsim("run " + path);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == path +
                     ":2:15: error: openssl 3.2 is not a version tlsim runs "
                     "on; known: 1.1.1, 3.0, 3.5, 3.6, 4.0\n"
                     "if openssl >= 3.2 {\n"
                     "              ^\n");
}

TEST_CASE("tlsim shrink keeps the conditions and says on which series",
          "[versions][cli]") {
  const std::string series = TlsimSeries();
  std::string path =
      Write("to_shrink.tlsim", std::string(kHandshake) +
                                   "if openssl < 3.5 {\n"
                                   "  expect client handshake_done = yes\n"
                                   "  expect client group = P-256\n"
                                   "} else {\n"
                                   "  expect client group = P-256\n"
                                   "  expect server handshake_done = yes\n"
                                   "}\n"
                                   "expect client version = TLSv1.3\n");
  std::string out = Write("small.tlsim", "");
  Result r = Tlsim("shrink " + path + " --output " + out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("\nshrunk on OpenSSL " + series + ": ") !=
        std::string::npos);
  const std::string small = ReadAll(out);
  INFO(small);
  CHECK(small.rfind("# shrunk on OpenSSL " + series + ": ", 0) == 0);
  CHECK(small.find("if openssl < 3.5 {\n") != std::string::npos);
  CHECK(small.find("  expect client group = P-256\n") != std::string::npos);
  CHECK(small.find("handshake_done") == std::string::npos);
  CHECK(small.find("expect client version") == std::string::npos);

  Result check = Tlsim("check " + out);
  CHECK(check.exit_code == 0);
  Result run = Tlsim("run " + out);
  CHECK(run.exit_code == 1);
  CHECK(run.err.find(": client group: expected P-256, observed ") !=
        std::string::npos);
}

}  // namespace
}  // namespace tlsim

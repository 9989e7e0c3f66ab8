// Bad input never crashes the parser or hangs it: thousands of seeded
// mutations of every shipped scenario either parse (and then print and
// parse back to the same scenario) or give a diagnostic that points into
// the file.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"

namespace tlsim::scenario {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Sources() {
  fs::path root = fs::path(std::getenv("TEST_SRCDIR")) /
                  std::getenv("TEST_WORKSPACE") / "scenarios";
  std::vector<fs::path> paths;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() == ".tlsim") paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> sources;
  for (const fs::path& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    sources.push_back(text.str());
  }
  return sources;
}

// One random edit: delete, duplicate or replace a span, or insert a token
// the language knows, so mutations reach deep into the grammar.
std::string Mutate(const std::string& text, std::mt19937_64* rng) {
  static const char* kPieces[] = {
      "\"",     "->",      "=",       "{",
      "}",      "\n",      "#",       " ",
      "-1",     "0x",      "record",  ":",
      ",",      "..",      "\\x",     "99999999999999999999",
      "client", "server",  "connect", "drive",
      "expect", "deliver", "\t",      "\r",
  };
  std::string out = text;
  if (out.empty()) return "client";
  auto pick = [&](size_t n) { return static_cast<size_t>((*rng)() % n); };
  size_t at = pick(out.size());
  size_t len = std::min<size_t>(pick(16) + 1, out.size() - at);
  switch (pick(4)) {
    case 0:
      out.erase(at, len);
      break;
    case 1:
      out.insert(at, out.substr(at, len));
      break;
    case 2:
      out.replace(at, len, kPieces[pick(std::size(kPieces))]);
      break;
    default:
      out.insert(at, kPieces[pick(std::size(kPieces))]);
      break;
  }
  return out;
}

int LineCount(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
}

TEST_CASE("mutated scenarios parse cleanly or point at a place in the file",
          "[scenario][robustness]") {
  std::vector<std::string> sources = Sources();
  REQUIRE(sources.size() >= 30);
  std::mt19937_64 rng(20261125);
  int parsed = 0, refused = 0;
  for (int round = 0; round < 40; ++round) {
    for (const std::string& source : sources) {
      std::string text = source;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < edits; ++i) text = Mutate(text, &rng);
      Scenario s;
      Diagnostic d;
      if (Parse("m.tlsim", text, &s, &d)) {
        ++parsed;
        Scenario again;
        REQUIRE(Parse("m.tlsim", Print(s), &again, &d));
        CHECK(again == s);
        continue;
      }
      ++refused;
      INFO(text);
      INFO(d.Format());
      CHECK(d.line >= 1);
      CHECK(d.line <= LineCount(text));
      CHECK(d.col >= 1);
      CHECK(d.Format().find("m.tlsim:") == 0);
    }
  }
  // Both kinds happened: the mutations exercised the parser's errors and
  // its successes.
  CHECK(parsed > 100);
  CHECK(refused > 100);
}

}  // namespace
}  // namespace tlsim::scenario

// Version conditions in the scenario language: `requires openssl ...`,
// `if openssl ... { } else if ... { } else { }` blocks and the one-line
// `STEP if openssl ...`; how each parses and prints back, every error (the
// whole message, caret included), and which steps each series runs.
#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

#include "lib/proto/openssl_series.h"
#include "lib/scenario/ast.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "lib/scenario/versions.h"
#include "tests/parse_helpers.h"
#include "tools/fuzz/parser_check.h"

namespace tlsim::scenario {
namespace {

using proto::OpensslSeries;

// Parse(Print(s)) == s, printing again gives the same text, and the
// fuzzer's own check of the text agrees.
void CheckRoundTrip(const std::string& text) {
  Scenario s = MustParse(text);
  const std::string printed = Print(s);
  INFO(printed);
  Scenario again = MustParse(printed);
  CHECK(again == s);
  CHECK(Print(again) == printed);
  CHECK(fuzz::CheckParserInput(text) == "");
}

// The source lines of the steps `series` runs, in order.
std::vector<int> LinesFor(const Scenario& s, OpensslSeries series) {
  std::vector<int> lines;
  for (const Step& step : ForSeries(s, series).steps) {
    lines.push_back(std::visit([](const auto& x) { return x.pos.line; }, step));
  }
  return lines;
}

const char kBlocks[] =
    "client connect -> -1 WANT_READ\n"                // 1
    "if openssl < 3.5 {\n"                            // 2
    "  expect client group = X25519\n"                // 3
    "} else if openssl >= 3.5 and openssl < 4.0 {\n"  // 4
    "  expect client group = X25519MLKEM768\n"        // 5
    "  if openssl == 3.6 {\n"                         // 6
    "    expect client version = TLSv1.3\n"           // 7
    "  }\n"                                           // 8
    "} else {\n"                                      // 9
    "  deliver client->server all\n"                  // 10
    "}\n"                                             // 11
    "expect server group = X25519 if openssl != 3.5 and openssl <= 3.0\n"
    "drive -> done\n";  // 13

TEST_CASE("requires reads a range joined by and", "[versions]") {
  Scenario s = MustParse(
      "scenario \"t\"\n"
      "requires openssl >= 3.0 and openssl < 4.0\n"
      "drive -> done\n");
  REQUIRE(s.requirement.has_value());
  REQUIRE(s.requirement->tests.size() == 2);
  CHECK(s.requirement->tests[0].op == Comparison::kGe);
  CHECK(s.requirement->tests[0].series == OpensslSeries::k3_0);
  CHECK(s.requirement->tests[1].op == Comparison::kLt);
  CHECK(s.requirement->tests[1].series == OpensslSeries::k4_0);
  CHECK(s.requirement->pos.line == 2);
  CHECK(s.requirement->pos.col == 10);
  CHECK(ConditionText(*s.requirement) == "openssl >= 3.0 and openssl < 4.0");
  CHECK(Print(s) ==
        "scenario \"t\"\n"
        "requires openssl >= 3.0 and openssl < 4.0\n"
        "\n"
        "drive deliver=all first=client limit=10000 -> done\n");
}

TEST_CASE("every comparison and every series name reads", "[versions]") {
  struct Case {
    const char* text;
    Comparison op;
  };
  for (const Case& c :
       {Case{"==", Comparison::kEq}, Case{"!=", Comparison::kNe},
        Case{"<", Comparison::kLt}, Case{"<=", Comparison::kLe},
        Case{">", Comparison::kGt}, Case{">=", Comparison::kGe}}) {
    for (OpensslSeries series : proto::AllSeries()) {
      const std::string name(proto::SeriesName(series));
      const std::string text =
          std::string("requires openssl ") + c.text + " " + name + "\n";
      INFO(text);
      Scenario s = MustParse(text);
      REQUIRE(s.requirement.has_value());
      CHECK(s.requirement->tests.at(0).op == c.op);
      CHECK(s.requirement->tests.at(0).series == series);
      CHECK(Print(s) == text);
    }
  }
  // The operator may touch its version; `>=` is two tokens to the lexer.
  CHECK(MustParse("requires openssl <3.5\n") ==
        MustParse("requires openssl < 3.5\n"));
  CHECK(MustParse("requires openssl >=3.5\n") ==
        MustParse("requires openssl >= 3.5\n"));
  CHECK(MustParse("requires openssl ==3.5\n") ==
        MustParse("requires openssl == 3.5\n"));
}

TEST_CASE("comparisons follow the release order", "[versions]") {
  VersionTest test;
  test.series = OpensslSeries::k3_5;
  auto holds = [&](Comparison op, OpensslSeries series) {
    test.op = op;
    return Holds(test, series);
  };
  CHECK(holds(Comparison::kLt, OpensslSeries::k1_1_1));
  CHECK(holds(Comparison::kLt, OpensslSeries::k3_0));
  CHECK_FALSE(holds(Comparison::kLt, OpensslSeries::k3_5));
  CHECK(holds(Comparison::kLe, OpensslSeries::k3_5));
  CHECK_FALSE(holds(Comparison::kLe, OpensslSeries::k3_6));
  CHECK(holds(Comparison::kGt, OpensslSeries::k4_0));
  CHECK_FALSE(holds(Comparison::kGt, OpensslSeries::k3_5));
  CHECK(holds(Comparison::kGe, OpensslSeries::k3_5));
  CHECK_FALSE(holds(Comparison::kGe, OpensslSeries::k3_0));
  CHECK(holds(Comparison::kEq, OpensslSeries::k3_5));
  CHECK_FALSE(holds(Comparison::kEq, OpensslSeries::k3_6));
  CHECK(holds(Comparison::kNe, OpensslSeries::k3_6));
  CHECK_FALSE(holds(Comparison::kNe, OpensslSeries::k3_5));
}

TEST_CASE("if blocks, else if, else and one-line conditions parse",
          "[versions]") {
  Scenario s = MustParse(kBlocks);
  REQUIRE(s.steps.size() == 4);
  const auto& block = std::get<IfStep>(s.steps[1]);
  CHECK_FALSE(block.one_line);
  CHECK(block.pos.line == 2);
  REQUIRE(block.branches.size() == 3);
  CHECK(ConditionText(*block.branches[0].condition) == "openssl < 3.5");
  CHECK(block.branches[0].steps.size() == 1);
  CHECK(block.branches[1].pos.line == 4);
  CHECK(block.branches[1].pos.col == 3);  // its `else`
  CHECK(ConditionText(*block.branches[1].condition) ==
        "openssl >= 3.5 and openssl < 4.0");
  REQUIRE(block.branches[1].steps.size() == 2);
  const auto& inner = std::get<IfStep>(block.branches[1].steps[1]);
  CHECK(ConditionText(*inner.branches.at(0).condition) == "openssl == 3.6");
  CHECK_FALSE(block.branches[2].condition.has_value());
  CHECK(std::holds_alternative<DeliverStep>(block.branches[2].steps.at(0)));

  const auto& one = std::get<IfStep>(s.steps[2]);
  CHECK(one.one_line);
  CHECK(one.pos.line == 12);
  CHECK(one.pos.col == 30);  // its `if`
  REQUIRE(one.branches.size() == 1);
  const auto& expect = std::get<ExpectStep>(one.branches[0].steps.at(0));
  CHECK(expect.pos.line == 12);
  CHECK(expect.pos.col == 1);
  CHECK(ConditionText(*one.branches[0].condition) ==
        "openssl != 3.5 and openssl <= 3.0");
  CHECK(std::holds_alternative<DriveStep>(s.steps[3]));
}

TEST_CASE("every kind of step may be conditional, on one line or in a block",
          "[versions]") {
  const char* steps[] = {
      "client connect -> -1 WANT_READ",
      "client write \"x\" * 3 moved -> 3",
      "client set_connect_state",
      "client raise_error system",
      "server read 5 -> 5 NONE data=\"hello\"",
      "deliver client->server record -> fails \"no record\"",
      "close server->client",
      "reset client->server",
      "drive deliver=1 first=server limit=5 -> failed by client",
      "expect client version = TLSv1.3",
      "expect in_flight client->server = 0",
      "expect client read = \"x\" * 3",
      "drop server->client record Certificate",
      "inject client->server alert fatal:handshake_failure",
      "connection second resume=main",
      "clock advance 2h",
      "clock set 2027-01-01T00:00:00Z",
      "client set alpn = h2",
      "server set ciphers = \"ALL:@SECLEVEL=0\"",
      "client set verify = require",
      "run deliver=record first=client limit=50 -> deadlock",
      "run",
  };
  const std::string header =
      "program client {\n"
      "  connect\n"
      "}\n";
  for (const char* step : steps) {
    INFO(step);
    const std::string one_line =
        header + step + " if openssl >= 3.5 and openssl != 4.0\n";
    Scenario s = MustParse(one_line);
    REQUIRE(s.steps.size() == 1);
    const auto* block = std::get_if<IfStep>(&s.steps[0]);
    REQUIRE(block != nullptr);
    CHECK(block->one_line);
    CheckRoundTrip(one_line);

    const std::string in_block = header + "if openssl < 3.5 {\n  " + step +
                                 "\n} else {\n  " + step + "\n}\n";
    Scenario b = MustParse(in_block);
    REQUIRE(b.steps.size() == 1);
    CHECK(std::get<IfStep>(b.steps[0]).branches.size() == 2);
    CheckRoundTrip(in_block);
    // The same step, unconditional, is what each series runs.
    Scenario plain = MustParse(header + step + "\n");
    for (OpensslSeries series : proto::AllSeries()) {
      CHECK(ForSeries(b, series).steps == plain.steps);
    }
  }
}

TEST_CASE("blocks and one-line conditions print back as written",
          "[versions]") {
  Scenario s = MustParse(kBlocks);
  CHECK(Print(s) ==
        "client connect -> -1 WANT_READ\n"
        "if openssl < 3.5 {\n"
        "  expect client group = X25519\n"
        "} else if openssl >= 3.5 and openssl < 4.0 {\n"
        "  expect client group = X25519MLKEM768\n"
        "  if openssl == 3.6 {\n"
        "    expect client version = TLSv1.3\n"
        "  }\n"
        "} else {\n"
        "  deliver client->server all\n"
        "}\n"
        "expect server group = X25519 if openssl != 3.5 and openssl <= 3.0\n"
        "drive deliver=all first=client limit=10000 -> done\n");
  CheckRoundTrip(kBlocks);
  // A one-line condition and a block of the same step mean the same, and
  // each prints in its own form.
  Scenario one = MustParse("drive -> done if openssl >= 3.5\n");
  Scenario block = MustParse("if openssl >= 3.5 {\n  drive -> done\n}\n");
  CHECK_FALSE(one == block);
  for (OpensslSeries series : proto::AllSeries()) {
    CHECK(ForSeries(one, series) == ForSeries(block, series));
  }
  CHECK(Print(block) ==
        "if openssl >= 3.5 {\n"
        "  drive deliver=all first=client limit=10000 -> done\n"
        "}\n");
  // Empty branches are allowed and kept.
  CheckRoundTrip("if openssl < 3.5 {\n} else {\n}\n");
  CheckRoundTrip(
      "scenario \"x\"\nrequires openssl == 1.1.1\nseed 3\n"
      "clock 2026-01-01T00:00:00Z\n\nclient connect -> 1\n");
}

TEST_CASE("each series runs the steps whose conditions hold, in order",
          "[versions]") {
  Scenario s = MustParse(kBlocks);
  CHECK(LinesFor(s, OpensslSeries::k1_1_1) == std::vector<int>{1, 3, 12, 13});
  CHECK(LinesFor(s, OpensslSeries::k3_0) == std::vector<int>{1, 3, 12, 13});
  CHECK(LinesFor(s, OpensslSeries::k3_5) == std::vector<int>{1, 5, 13});
  CHECK(LinesFor(s, OpensslSeries::k3_6) == std::vector<int>{1, 5, 7, 13});
  CHECK(LinesFor(s, OpensslSeries::k4_0) == std::vector<int>{1, 10, 13});
  // Each step keeps its own position, column included.
  Scenario on36 = ForSeries(s, OpensslSeries::k3_6);
  CHECK(std::get<ExpectStep>(on36.steps[2]).pos.col == 5);
  // Everything but the steps is the scenario's own.
  Scenario header = MustParse(
      "scenario \"h\"\nrequires openssl >= 3.0\nseed 7\n"
      "client {\n  verify = peer\n}\n"
      "client connect -> 1 if openssl == 3.0\n");
  Scenario on30 = ForSeries(header, OpensslSeries::k3_0);
  CHECK(on30.title == "h");
  CHECK(on30.requirement == header.requirement);
  CHECK(on30.seed == header.seed);
  CHECK(on30.client == header.client);
  REQUIRE(on30.steps.size() == 1);
  CHECK(std::holds_alternative<CallStep>(on30.steps[0]));
  CHECK(ForSeries(header, OpensslSeries::k3_5).steps.empty());
  // No branch matches: nothing of the block runs.
  Scenario none = MustParse("if openssl == 4.0 {\n  drive -> done\n}\n");
  CHECK(ForSeries(none, OpensslSeries::k3_0).steps.empty());
}

TEST_CASE("a scenario without blocks resolves to exactly itself",
          "[versions]") {
  const std::string text =
      "scenario \"plain\"\nseed 1\n"
      "pki {\n  ca root\n  leaf server.test issuer=root\n}\n"
      "client {\n  trust = root\n}\nserver {\n  cert = server.test\n}\n"
      "client connect -> -1 WANT_READ\ndrive -> done\n";
  Scenario s = MustParse(text);
  CHECK_FALSE(HasBlocks(s));
  for (OpensslSeries series : proto::AllSeries()) {
    Scenario r = ForSeries(s, series);
    CHECK(r == s);
    CHECK(Print(r) == Print(s));
  }
}

TEST_CASE("requires decides where a scenario applies", "[versions]") {
  Scenario s = MustParse("requires openssl >= 3.5\ndrive -> done\n");
  CHECK_FALSE(Applies(s, OpensslSeries::k1_1_1));
  CHECK_FALSE(Applies(s, OpensslSeries::k3_0));
  CHECK(Applies(s, OpensslSeries::k3_5));
  CHECK(Applies(s, OpensslSeries::k4_0));
  CHECK(NotApplicable(s, OpensslSeries::k3_0) ==
        "requires openssl >= 3.5; this is OpenSSL 3.0");
  CHECK(NotApplicable(s, OpensslSeries::k3_6) == "");
  Scenario range =
      MustParse("requires openssl >= 3.0 and openssl < 3.6\ndrive -> done\n");
  CHECK(NotApplicable(range, OpensslSeries::k4_0) ==
        "requires openssl >= 3.0 and openssl < 3.6; this is OpenSSL 4.0");
  CHECK(Applies(range, OpensslSeries::k3_5));
  Scenario none = MustParse("drive -> done\n");
  for (OpensslSeries series : proto::AllSeries()) {
    CHECK(Applies(none, series));
    CHECK(NotApplicable(none, series) == "");
  }
}

TEST_CASE("a version tlsim does not run on is an error with the known ones",
          "[versions]") {
  CHECK(ParseError("requires openssl >= 3.2\n") ==
        "t.tlsim:1:21: error: openssl 3.2 is not a version tlsim runs on; "
        "known: 1.1.1, 3.0, 3.5, 3.6, 4.0\n"
        "requires openssl >= 3.2\n"
        "                    ^\n");
  CHECK(ParseError("if openssl < 3.10 {\n}\n") ==
        "t.tlsim:1:14: error: openssl 3.10 is not a version tlsim runs on; "
        "known: 1.1.1, 3.0, 3.5, 3.6, 4.0\n"
        "if openssl < 3.10 {\n"
        "             ^\n");
  CHECK(ParseError("drive -> done if openssl == 5\n") ==
        "t.tlsim:1:29: error: openssl 5 is not a version tlsim runs on; "
        "known: 1.1.1, 3.0, 3.5, 3.6, 4.0\n"
        "drive -> done if openssl == 5\n"
        "                            ^\n");
  CHECK(ParseError("requires openssl <3.1.1\n") ==
        "t.tlsim:1:19: error: openssl 3.1.1 is not a version tlsim runs on; "
        "known: 1.1.1, 3.0, 3.5, 3.6, 4.0\n"
        "requires openssl <3.1.1\n"
        "                  ^\n");
}

TEST_CASE("a bad comparison is an error at it", "[versions]") {
  CHECK(ParseError("requires openssl = 3.5\n") ==
        "t.tlsim:1:18: error: expected a comparison (==, !=, <, <=, >, >=) "
        "after 'openssl', found '='\n"
        "requires openssl = 3.5\n"
        "                 ^\n");
  CHECK(ParseError("requires openssl => 3.5\n") ==
        "t.tlsim:1:18: error: expected a comparison (==, !=, <, <=, >, >=) "
        "after 'openssl', found '='\n"
        "requires openssl => 3.5\n"
        "                 ^\n");
  CHECK(ParseError("requires openssl ~ 3.5\n") ==
        "t.tlsim:1:18: error: expected a comparison (==, !=, <, <=, >, >=) "
        "after 'openssl', found '~'\n"
        "requires openssl ~ 3.5\n"
        "                 ^\n");
  CHECK(ParseError("requires openssl 3.5\n") ==
        "t.tlsim:1:18: error: expected a comparison (==, !=, <, <=, >, >=) "
        "after 'openssl', found '3.5'\n"
        "requires openssl 3.5\n"
        "                 ^\n");
  CHECK(ParseError("requires openssl ! 3.5\n") ==
        "t.tlsim:1:18: error: expected a comparison (==, !=, <, <=, >, >=) "
        "after 'openssl', found '!'\n"
        "requires openssl ! 3.5\n"
        "                 ^\n");
  // `> =` is `>` and then no version.
  CHECK(ParseError("requires openssl > = 3.5\n") ==
        "t.tlsim:1:20: error: expected an OpenSSL version (1.1.1, 3.0, 3.5, "
        "3.6, 4.0) after '>', found '='\n"
        "requires openssl > = 3.5\n"
        "                   ^\n");
  CHECK(ParseError("requires libressl >= 3.5\n") ==
        "t.tlsim:1:10: error: expected 'openssl' after 'requires', found "
        "'libressl'\n"
        "requires libressl >= 3.5\n"
        "         ^\n");
  CHECK(ParseError("requires openssl >= 3.0 or openssl < 1.1.1\n") ==
        "t.tlsim:1:25: error: conditions join with 'and' only (for either of "
        "two ranges, use 'else if', or '!=')\n"
        "requires openssl >= 3.0 or openssl < 1.1.1\n"
        "                        ^\n");
}

TEST_CASE("a range cut short is an error where it stops", "[versions]") {
  CHECK(ParseError("requires openssl >=\n") ==
        "t.tlsim:1:20: error: expected an OpenSSL version (1.1.1, 3.0, 3.5, "
        "3.6, 4.0) after '>=', found newline\n"
        "requires openssl >=\n"
        "                   ^\n");
  CHECK(ParseError("requires openssl >= 3.5 and\n") ==
        "t.tlsim:1:28: error: expected 'openssl' after 'and', found newline\n"
        "requires openssl >= 3.5 and\n"
        "                           ^\n");
  CHECK(ParseError("requires openssl >= 3.5 and openssl\n") ==
        "t.tlsim:1:36: error: expected a comparison (==, !=, <, <=, >, >=) "
        "after 'openssl', found newline\n"
        "requires openssl >= 3.5 and openssl\n"
        "                                   ^\n");
  CHECK(ParseError("requires\n") ==
        "t.tlsim:1:9: error: expected 'openssl' after 'requires', found "
        "newline\n"
        "requires\n"
        "        ^\n");
  CHECK(ParseError("client connect -> 1 if\n") ==
        "t.tlsim:1:23: error: expected 'openssl' after 'if', found newline\n"
        "client connect -> 1 if\n"
        "                      ^\n");
  CHECK(ParseError("client connect -> 1 if openssl < 3.5 {\n}\n") ==
        "t.tlsim:1:38: error: expected end of line, found '{'\n"
        "client connect -> 1 if openssl < 3.5 {\n"
        "                                     ^\n");
}

TEST_CASE("requires is a header statement, at most once", "[versions]") {
  CHECK(ParseError("client connect -> 1\nrequires openssl >= 3.5\n") ==
        "t.tlsim:2:1: error: 'requires' must come before the first step\n"
        "requires openssl >= 3.5\n"
        "^\n");
  CHECK(ParseError("requires openssl >= 3.0\nseed 1\n"
                   "requires openssl < 4.0\n") ==
        "t.tlsim:3:1: error: duplicate 'requires' (first at line 1)\n"
        "requires openssl < 4.0\n"
        "^\n");
  CHECK(ParseError("requires openssl >= 3.0 if openssl < 4.0\n") ==
        "t.tlsim:1:25: error: only a step can end with 'if openssl ...': "
        "header statements, settings and blocks hold on every series "
        "('requires openssl ...' limits the whole scenario)\n"
        "requires openssl >= 3.0 if openssl < 4.0\n"
        "                        ^\n");
}

TEST_CASE("blocks hold steps only, never the header", "[versions]") {
  CHECK(ParseError("if openssl >= 3.5 {\n  seed 1\n}\n") ==
        "t.tlsim:2:3: error: 'seed' cannot be inside an 'if' block: header "
        "statements and blocks hold on every series; only steps can be "
        "conditional ('requires openssl ...' limits the whole scenario)\n"
        "  seed 1\n"
        "  ^\n");
  CHECK(ParseError("if openssl >= 3.5 {\n  client {\n    verify = peer\n  "
                   "}\n}\n") ==
        "t.tlsim:2:3: error: 'client' block cannot be inside an 'if' block: "
        "header statements and blocks hold on every series; only steps can "
        "be conditional ('requires openssl ...' limits the whole scenario)\n"
        "  client {\n"
        "  ^\n");
  CHECK(ParseError("if openssl >= 3.5 {\n} else {\n  requires openssl < 3.5\n"
                   "}\n")
            .rfind("t.tlsim:3:3: error: 'requires' cannot be inside an 'if' "
                   "block",
                   0) == 0);
  CHECK(ParseError("if openssl >= 3.5 {\n  pki {\n  }\n}\n")
            .rfind("t.tlsim:2:3: error: 'pki' block cannot be inside", 0) == 0);
  CHECK(ParseError("if openssl >= 3.5 {\n  program client {\n    connect\n"
                   "  }\n}\n")
            .rfind("t.tlsim:2:3: error: 'program' block cannot be inside", 0) ==
        0);
  CHECK(ParseError("if openssl >= 3.5 {\n  server context x {\n  }\n}\n")
            .rfind("t.tlsim:2:3: error: 'server context' block cannot be "
                   "inside",
                   0) == 0);
  CHECK(ParseError("if openssl >= 3.5 {\n  clock 2026-01-01T00:00:00Z\n}\n")
            .rfind("t.tlsim:2:3: error: 'clock' cannot be inside", 0) == 0);
  // A block is a step: the header is over after it.
  CHECK(ParseError("if openssl >= 3.5 {\n}\nseed 1\n") ==
        "t.tlsim:3:1: error: 'seed' must come before the first step\n"
        "seed 1\n"
        "^\n");
  // Settings and header lines take no one-line condition.
  CHECK(ParseError("client {\n  verify = peer if openssl >= 3.5\n}\n")
            .rfind("t.tlsim:2:17: error: only a step can end with 'if "
                   "openssl ...'",
                   0) == 0);
  CHECK(ParseError("seed 1 if openssl >= 3.5\n")
            .rfind("t.tlsim:1:8: error: only a step can end with", 0) == 0);
}

TEST_CASE("a block's braces and else are checked", "[versions]") {
  CHECK(ParseError("if openssl >= 3.5\n  drive -> done\n}\n") ==
        "t.tlsim:1:18: error: expected 'and' or '{' after the condition, "
        "found newline\n"
        "if openssl >= 3.5\n"
        "                 ^\n");
  CHECK(ParseError("if openssl >= 3.5 { drive -> done\n}\n") ==
        "t.tlsim:1:21: error: expected end of line, found 'drive'\n"
        "if openssl >= 3.5 { drive -> done\n"
        "                    ^\n");
  CHECK(ParseError("if openssl >= 3.5 {\n  drive -> done\n") ==
        "t.tlsim:1:1: error: missing '}' for the block opened at line 1\n"
        "if openssl >= 3.5 {\n"
        "^\n");
  CHECK(ParseError("if openssl >= 3.5 {\n} else {\n  drive -> done\n") ==
        "t.tlsim:2:3: error: missing '}' for the block opened at line 2\n"
        "} else {\n"
        "  ^\n");
  CHECK(ParseError("else {\n}\n") ==
        "t.tlsim:1:1: error: 'else' without 'if': an 'else' goes after the "
        "'}' that closes an 'if' block, on the same line ('} else {')\n"
        "else {\n"
        "^\n");
  CHECK(ParseError("if openssl >= 3.5 {\n}\nelse {\n}\n") ==
        "t.tlsim:3:1: error: 'else' without 'if': an 'else' goes after the "
        "'}' that closes an 'if' block, on the same line ('} else {')\n"
        "else {\n"
        "^\n");
  CHECK(ParseError("if openssl >= 3.5 {\n} else {\n} else {\n}\n") ==
        "t.tlsim:3:3: error: 'else' after 'else': the 'else' branch is the "
        "last\n"
        "} else {\n"
        "  ^\n");
  CHECK(ParseError("if openssl >= 3.5 {\n} else drive\n") ==
        "t.tlsim:2:8: error: expected '{' or 'if' after 'else', found "
        "'drive'\n"
        "} else drive\n"
        "       ^\n");
  CHECK(ParseError("if openssl >= 3.5 {\n} drive\n") ==
        "t.tlsim:2:3: error: expected end of line, found 'drive'\n"
        "} drive\n"
        "  ^\n");
  CHECK(ParseError("if {\n}\n") ==
        "t.tlsim:1:4: error: expected 'openssl' after 'if', found '{'\n"
        "if {\n"
        "   ^\n");
  CHECK(ParseError("client connect -> if openssl >= 3.5\n") ==
        "t.tlsim:1:19: error: expected an outcome after '->', found 'if'\n"
        "client connect -> if openssl >= 3.5\n"
        "                  ^\n");
  // Blocks nest, up to 16 deep.
  std::string deep;
  for (int i = 0; i < 16; ++i) deep += "if openssl >= 3.0 {\n";
  deep += "drive -> done\n";
  for (int i = 0; i < 16; ++i) deep += "}\n";
  CheckRoundTrip(deep);
  CHECK(ParseError("if openssl >= 3.0 {\n" + deep + "}\n")
            .rfind("t.tlsim:17:1: error: 'if' blocks nest at most 16 deep",
                   0) == 0);
}

TEST_CASE("steps that depend on earlier ones are checked on each series' path",
          "[versions]") {
  // Two branches may open the same connection; the other series never saw
  // it.
  Scenario s = MustParse(
      "if openssl < 3.5 {\n"
      "  connection second\n"
      "} else {\n"
      "  connection second\n"
      "}\n"
      "connection third resume=second\n"
      "reset client->server if openssl < 3.5\n"
      "reset client->server if openssl >= 3.5\n"
      "clock advance 1h if openssl < 3.5\n"
      "clock set 2026-01-01T02:00:00Z\n");
  CHECK(s.steps.size() == 6);
  // A connection only some series opened.
  CHECK(ParseError("connection second if openssl < 3.5\n"
                   "connection third resume=second\n") ==
        "t.tlsim:2:25: error: unknown connection 'second' (on OpenSSL 3.5, "
        "3.6 and 4.0)\n"
        "connection third resume=second\n"
        "                        ^\n");
  CHECK(ParseError("if openssl == 3.6 {\n  connection second\n}\n"
                   "connection second\n") ==
        "t.tlsim:4:12: error: duplicate connection 'second' (on OpenSSL 3.6)\n"
        "connection second\n"
        "           ^\n");
  // A clock some series moved further.
  CHECK(ParseError("clock advance 1h if openssl < 3.5\n"
                   "clock set 2026-01-01T00:30:00Z\n") ==
        "t.tlsim:2:11: error: the clock cannot move backwards: it is "
        "2026-01-01T01:00:00Z here (on OpenSSL 1.1.1 and 3.0)\n"
        "clock set 2026-01-01T00:30:00Z\n"
        "          ^\n");
  // A second reset on one series' path only.
  CHECK(ParseError("reset client->server if openssl >= 4.0\n"
                   "reset client->server\n") ==
        "t.tlsim:2:7: error: client->server is already reset (line 1) (on "
        "OpenSSL 4.0)\n"
        "reset client->server\n"
        "      ^\n");
  // Inside a branch, its own series are not named.
  CHECK(ParseError("if openssl >= 3.5 {\n  connection main\n}\n") ==
        "t.tlsim:2:14: error: duplicate connection 'main'\n"
        "  connection main\n"
        "             ^\n");
  // A step a line's condition leaves out does not count for the others.
  CHECK(ParseError("clock set 2026-01-01T01:00:00Z if openssl == 3.5\n"
                   "clock set 2026-01-01T00:30:00Z if openssl != 3.5\n"
                   "clock set 2026-01-01T00:40:00Z\n") ==
        "t.tlsim:3:11: error: the clock cannot move backwards: it is "
        "2026-01-01T01:00:00Z here (on OpenSSL 3.5)\n"
        "clock set 2026-01-01T00:40:00Z\n"
        "          ^\n");
  // With `requires`, the series it leaves out are not checked.
  MustParse(
      "requires openssl >= 3.5\n"
      "clock advance 1h if openssl < 3.5\n"
      "clock set 2026-01-01T00:30:00Z\n");
}

}  // namespace
}  // namespace tlsim::scenario

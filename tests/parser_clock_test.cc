// The parser for issue 11's language: clock steps, empty lists, the one rule
// for quoted values, repeated payloads, `drive -> failed by`, and the
// ticket expectations. Error messages are compared whole, caret included.
#include <catch2/catch.hpp>
#include <string>
#include <variant>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "tests/parse_helpers.h"

namespace tlsim::scenario {
namespace {

// Parse(Print(s)) == s.
void CheckRoundTrip(const Scenario& s) {
  Scenario again = MustParse(Print(s));
  CHECK(again == s);
}

TEST_CASE("clock steps advance or set the clock", "[clock]") {
  Scenario s = MustParse(
      "clock 2026-01-01T00:00:00Z\n"
      "clock advance 2h\n"
      "clock advance 1d12h30m5s\n"
      "clock advance 0s\n"
      "clock set 2026-03-01T00:00:00Z\n");
  REQUIRE(s.steps.size() == 4);
  CHECK(std::get<ClockStep>(s.steps[0]).seconds == 7200);
  CHECK(std::get<ClockStep>(s.steps[1]).seconds == 86400 + 12 * 3600 + 1805);
  CHECK(std::get<ClockStep>(s.steps[2]).seconds == 0);
  CHECK(std::get<ClockStep>(s.steps[3]).set);
  CHECK(std::get<ClockStep>(s.steps[3]).seconds == 1772323200);
  CHECK(Print(s).find("clock advance 1d12h30m5s\n") != std::string::npos);
  CHECK(Print(s).find("clock set 2026-03-01T00:00:00Z\n") != std::string::npos);
  CheckRoundTrip(s);
}

TEST_CASE("a clock that would move backwards is an error", "[clock]") {
  CHECK(ParseError("clock advance -5m\n") ==
        "t.tlsim:1:15: error: the clock cannot move backwards: '-5m' is "
        "negative\n"
        "clock advance -5m\n"
        "              ^\n");
  // Without a `clock` header the clock starts at 2026-01-01T00:00:00Z.
  CHECK(ParseError("clock set 2025-12-31T23:59:59Z\n") ==
        "t.tlsim:1:11: error: the clock cannot move backwards: it is "
        "2026-01-01T00:00:00Z here\n"
        "clock set 2025-12-31T23:59:59Z\n"
        "          ^\n");
  CHECK(ParseError("clock 2030-01-01T00:00:00Z\n"
                   "clock advance 1h\n"
                   "clock set 2030-01-01T00:30:00Z\n") ==
        "t.tlsim:3:11: error: the clock cannot move backwards: it is "
        "2030-01-01T01:00:00Z here\n"
        "clock set 2030-01-01T00:30:00Z\n"
        "          ^\n");
}

TEST_CASE("durations are checked", "[clock]") {
  CHECK(ParseError("clock advance 5\n") ==
        "t.tlsim:1:15: error: expected a duration like 90s, 2h or 1d12h, "
        "found '5'\n"
        "clock advance 5\n"
        "              ^\n");
  CHECK(ParseError("clock advance 5m2h\n") ==
        "t.tlsim:1:15: error: expected a duration like 90s, 2h or 1d12h, "
        "found '5m2h'\n"
        "clock advance 5m2h\n"
        "              ^\n");
  CHECK(ParseError("clock advance 99999999999999d\n") ==
        "t.tlsim:1:15: error: '99999999999999d' takes the clock past "
        "9999-12-31T23:59:59Z\n"
        "clock advance 99999999999999d\n"
        "              ^\n");
  CHECK(ParseError("clock advance\n") ==
        "t.tlsim:1:14: error: expected a duration like 90s, 2h or 1d12h "
        "after 'advance', found newline\n"
        "clock advance\n"
        "             ^\n");
  // The header form still comes before the first step.
  CHECK(ParseError("clock advance 1h\nclock 2026-01-01T00:00:00Z\n") ==
        "t.tlsim:2:1: error: 'clock' must come before the first step\n"
        "clock 2026-01-01T00:00:00Z\n"
        "^\n");
}

TEST_CASE("an empty string is passed to OpenSSL as an empty list",
          "[settings]") {
  Scenario s = MustParse(
      "client {\n  ciphersuites = \"\"\n  ciphers = \"\"\n  groups = \"\"\n"
      "  sigalgs = \"\"\n  alpn = \"\"\n}\n");
  REQUIRE(s.client.ciphersuites);
  CHECK(s.client.ciphersuites->value.empty());
  REQUIRE(s.client.alpn);
  CHECK(s.client.alpn->value.empty());
  CHECK(Print(s).find("  alpn = \"\"\n") != std::string::npos);
  CheckRoundTrip(s);
  // Only alpn takes an empty list among the comma lists.
  CHECK(ParseError("client {\n  trust = \"\"\n}\n") ==
        "t.tlsim:2:11: error: expected certificate names, found string "
        "\"\"\n"
        "  trust = \"\"\n"
        "          ^\n");
}

TEST_CASE("a quoted value reads as its words", "[settings]") {
  Scenario quoted = MustParse(
      "client {\n  verify_cb = \"retry 1 then ok\"\n  verify = \"peer\"\n"
      "  tickets = \"off\"\n}\n");
  Scenario bare = MustParse(
      "client {\n  verify_cb = retry 1 then ok\n  verify = peer\n"
      "  tickets = off\n}\n");
  CHECK(quoted == bare);
  CHECK(ParseError("client {\n  verify_cb = \"retry 1 then maybe\"\n}\n") ==
        "t.tlsim:2:29: error: expected ok, fail or accept_all, found "
        "'maybe'\n"
        "  verify_cb = \"retry 1 then maybe\"\n"
        "                            ^\n");
  CHECK(ParseError("client {\n  verify = \"peer require\"\n}\n") ==
        "t.tlsim:2:18: error: expected end of line, found 'require'\n"
        "  verify = \"peer require\"\n"
        "                 ^\n");
  // Lists OpenSSL reads keep a string exactly, blanks included.
  Scenario list = MustParse("client {\n  ciphers = \"ALL:@SECLEVEL=0\"\n}\n");
  CHECK(list.client.ciphers->value == "ALL:@SECLEVEL=0");
  // Every value after '=' follows the rule: certificate attributes, drive
  // options, resume=, and the outcome items that are words.
  CHECK(MustParse("pki {\n  ca root key=\"ed25519\"\n}\n"
                  "client connect -> -1 verify=\"X509_V_OK\" "
                  "alert_sent=\"fatal:handshake_failure\"\n"
                  "drive deliver=\"all\" first=\"server\" limit=\"5\" -> "
                  "done\nconnection b resume=\"main\"\n") ==
        MustParse("pki {\n  ca root key=ed25519\n}\n"
                  "client connect -> -1 verify=X509_V_OK "
                  "alert_sent=fatal:handshake_failure\n"
                  "drive deliver=all first=server limit=5 -> done\n"
                  "connection b resume=main\n"));
  // And an expectation's value too.
  Scenario expect = MustParse("expect client version = \"TLSv1.3\"\n");
  CHECK(std::get<ExpectStep>(expect.steps[0]).value ==
        decltype(ExpectStep::value){Version::kTls1_3});
}

TEST_CASE("a payload may repeat a string", "[payload]") {
  Scenario s = MustParse(
      "client write \"ab\" * 3 -> 6\n"
      "server read 8192 -> 8192 data=\"a\" *8192\n"
      "client write \"x\" * 1048576 -> 1048576\n");
  CHECK(std::get<CallStep>(s.steps[0]).write_data == "ababab");
  CHECK(std::get<CallStep>(s.steps[1]).expect->data == std::string(8192, 'a'));
  // Short payloads print as literals, long repeated ones as the repeat.
  std::string printed = Print(s);
  CHECK(printed.find("client write \"ababab\" -> 6") != std::string::npos);
  CHECK(printed.find("data=\"a\" * 8192") != std::string::npos);
  CHECK(printed.find("write \"x\" * 1048576") != std::string::npos);
  CheckRoundTrip(s);
  CHECK(ParseError("client write \"a\" * 0 -> 1\n") ==
        "t.tlsim:1:20: error: expected a repeat count from 1 to 16777216, "
        "found '0'\n"
        "client write \"a\" * 0 -> 1\n"
        "                   ^\n");
  CHECK(ParseError("client write \"ab\" * 16777216 -> 1\n") ==
        "t.tlsim:1:19: error: the payload would be longer than 16777216 "
        "bytes\n"
        "client write \"ab\" * 16777216 -> 1\n"
        "                  ^\n");
  CHECK(ParseError("client write \"\" * 5 -> 1\n") ==
        "t.tlsim:1:14: error: an empty string repeated is still empty\n"
        "client write \"\" * 5 -> 1\n"
        "             ^\n");
}

TEST_CASE("drive names the side that failed first", "[drive]") {
  Scenario s = MustParse("drive -> failed by server\n");
  CHECK(std::get<DriveStep>(s.steps[0]).failed_by == Side::kServer);
  CheckRoundTrip(s);
  CHECK(ParseError("drive -> done by server\n") ==
        "t.tlsim:1:15: error: 'by' names the side that failed first: only "
        "after 'failed'\n"
        "drive -> done by server\n"
        "              ^\n");
  CHECK(ParseError("drive -> failed by wire\n") ==
        "t.tlsim:1:20: error: expected client or server, found 'wire'\n"
        "drive -> failed by wire\n"
        "                   ^\n");
}

TEST_CASE("ticket expectations are the client's", "[expect]") {
  Scenario s = MustParse(
      "expect client ticket = yes\nexpect client ticket_lifetime = 7200\n"
      "expect client ticket_lifetime = none\n");
  CHECK(std::get<ExpectStep>(s.steps[1]).value ==
        decltype(ExpectStep::value){int64_t{7200}});
  CheckRoundTrip(s);
  CHECK(ParseError("expect server ticket = yes\n") ==
        "t.tlsim:1:15: error: 'ticket' is for the client: the ticket is in "
        "the session it holds\n"
        "expect server ticket = yes\n"
        "              ^\n");
  CHECK(ParseError("expect client ticket_lifetime = -1\n") ==
        "t.tlsim:1:33: error: expected a lifetime in seconds, or none, found "
        "'-1' (allowed: 0 to 4294967295)\n"
        "expect client ticket_lifetime = -1\n"
        "                                ^\n");
}

TEST_CASE("sni_received is the server's", "[expect]") {
  Scenario s = MustParse("expect server sni_received = \"server.test\"\n");
  CHECK(std::get<ExpectStep>(s.steps[0]).value ==
        decltype(ExpectStep::value){std::string("server.test")});
  CheckRoundTrip(s);
  CHECK(ParseError("expect client sni_received = none\n") ==
        "t.tlsim:1:15: error: 'sni_received' is for the server: only it "
        "reads a ClientHello\n"
        "expect client sni_received = none\n"
        "              ^\n");
}

}  // namespace
}  // namespace tlsim::scenario

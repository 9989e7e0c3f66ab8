// Programs, retry policies, the `run` step and the expectations about what a
// program read: what each line parses to, how the printer writes it back,
// and the message for each mistake (compared whole, caret included where it
// matters).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "tests/parse_helpers.h"

namespace tlsim::scenario {
namespace {

// The first line of a diagnostic: "t.tlsim:L:C: error: message".
std::string FirstLine(const std::string& diagnostic) {
  return diagnostic.substr(0, diagnostic.find('\n'));
}

// The single operation of `program SIDE { LINE }`.
Operation OneOperation(const std::string& side, const std::string& line) {
  Scenario s = MustParse("program " + side + " {\n  " + line + "\n}\n");
  REQUIRE(s.programs.size() == 1);
  REQUIRE(s.programs[0].operations.size() == 1);
  return s.programs[0].operations[0];
}

// The error for `program SIDE { LINE }`, first line only.
std::string OperationError(const std::string& side, const std::string& line) {
  return FirstLine(ParseError("program " + side + " {\n  " + line + "\n}\n"));
}

// A file with a client program, then `steps`.
std::string WithProgram(const std::string& steps) {
  return "program client {\n  connect\n}\n" + steps;
}

RunStep OneRun(const std::string& line) {
  Scenario s = MustParse(WithProgram(line + "\n"));
  REQUIRE(s.steps.size() == 1);
  REQUIRE(std::holds_alternative<RunStep>(s.steps[0]));
  return std::get<RunStep>(s.steps[0]);
}

TEST_CASE("a program block: side, blocking, default policy, operations",
          "[programs]") {
  Scenario s = MustParse(R"(program client blocking policy=full_duplex {
  connect
  write "ping"
}
program server {
  accept
}
)");
  REQUIRE(s.programs.size() == 2);
  const ProgramDecl& client = s.programs[0];
  CHECK(client.side == Side::kClient);
  CHECK(client.blocking);
  REQUIRE(client.policy);
  CHECK(client.policy->value == Policy::kFullDuplex);
  CHECK(client.policy->pos.line == 1);
  CHECK(client.policy->pos.col == 32);
  CHECK(client.pos.line == 1);
  REQUIRE(client.operations.size() == 2);
  CHECK(client.operations[1].pos.line == 3);
  CHECK(client.operations[1].pos.col == 3);
  const ProgramDecl& server = s.programs[1];
  CHECK(server.side == Side::kServer);
  CHECK_FALSE(server.blocking);
  CHECK_FALSE(server.policy);
  CHECK(s.steps.empty());
}

TEST_CASE("program options come in any order", "[programs]") {
  Scenario a =
      MustParse("program server policy=busy blocking {\n  accept\n}\n");
  Scenario b =
      MustParse("program server blocking policy=busy {\n  accept\n}\n");
  CHECK(a == b);
  CHECK(a.programs[0].blocking);
}

TEST_CASE("every policy has its name", "[programs]") {
  const std::pair<const char*, Policy> kAll[] = {
      {"correct", Policy::kCorrect},
      {"read_waits_readable", Policy::kReadWaitsReadable},
      {"want_write_fatal", Policy::kWantWriteFatal},
      {"full_duplex", Policy::kFullDuplex},
      {"read_while_write_owed", Policy::kReadWhileWriteOwed},
      {"busy", Policy::kBusy},
      {"write_waits_writable", Policy::kWriteWaitsWritable},
  };
  for (const auto& [name, policy] : kAll) {
    INFO(name);
    Operation op =
        OneOperation("client", std::string("connect policy=") + name);
    REQUIRE(op.policy);
    CHECK(op.policy->value == policy);
    CHECK(PolicyName(policy) == name);
  }
}

TEST_CASE("handshake operations name their call", "[programs]") {
  Operation connect = OneOperation("client", "connect");
  CHECK(connect.kind == Operation::Kind::kHandshake);
  CHECK(connect.call == Call::kConnect);
  Operation accept = OneOperation("server", "accept");
  CHECK(accept.kind == Operation::Kind::kHandshake);
  CHECK(accept.call == Call::kAccept);
  for (const char* side : {"client", "server"}) {
    Operation op = OneOperation(side, "do_handshake");
    CHECK(op.kind == Operation::Kind::kHandshake);
    CHECK(op.call == Call::kDoHandshake);
    CHECK_FALSE(op.policy);
  }
}

TEST_CASE("write and write_early take a payload", "[programs]") {
  Operation write = OneOperation("client", R"(write "GET /\r\n")");
  CHECK(write.kind == Operation::Kind::kWrite);
  CHECK(write.data == "GET /\r\n");
  Operation repeated = OneOperation("server", R"(write "ab" * 3)");
  CHECK(repeated.data == "ababab");
  Operation early = OneOperation("client", R"(write_early "0-RTT")");
  CHECK(early.kind == Operation::Kind::kWriteEarly);
  CHECK(early.data == "0-RTT");
}

TEST_CASE("read: N bytes, until a text, until close_notify", "[programs]") {
  Operation n = OneOperation("client", "read 100");
  CHECK(n.kind == Operation::Kind::kRead);
  CHECK(n.until == Operation::Until::kBytes);
  CHECK(n.bytes == 100);
  CHECK(OneOperation("client", "read 16777216").bytes == 16777216);
  Operation text = OneOperation("server", R"(read until "\r\n\r\n")");
  CHECK(text.until == Operation::Until::kText);
  CHECK(text.data == "\r\n\r\n");
  Operation limit =
      OneOperation("server", "read until \"" + std::string(4096, 'x') + "\"");
  CHECK(limit.data.size() == kMaxReadUntil);
  Operation close = OneOperation("client", "read until close_notify");
  CHECK(close.until == Operation::Until::kCloseNotify);
  CHECK(close.data.empty());
}

TEST_CASE("shutdown, key_update and the other operations", "[programs]") {
  Operation shutdown = OneOperation("client", "shutdown");
  CHECK(shutdown.kind == Operation::Kind::kShutdown);
  CHECK_FALSE(shutdown.once);
  CHECK(OneOperation("server", "shutdown once").once);

  Operation key_update = OneOperation("client", "key_update");
  CHECK(key_update.kind == Operation::Kind::kKeyUpdate);
  CHECK_FALSE(key_update.requested);
  CHECK(OneOperation("server", "key_update requested").requested);
  CHECK_FALSE(OneOperation("server", "key_update not_requested").requested);

  CHECK(OneOperation("client", "renegotiate").kind ==
        Operation::Kind::kRenegotiate);
  CHECK(OneOperation("server", "verify_client_post_handshake").kind ==
        Operation::Kind::kVerifyClientPostHandshake);
  CHECK(OneOperation("server", "read_early").kind ==
        Operation::Kind::kReadEarly);
  CHECK(OneOperation("client", "wait peer").kind == Operation::Kind::kWaitPeer);
}

TEST_CASE("an operation's own policy", "[programs]") {
  Operation op =
      OneOperation("client", R"(read until "\n" policy=read_waits_readable)");
  REQUIRE(op.policy);
  CHECK(op.policy->value == Policy::kReadWaitsReadable);
  CHECK(op.policy->pos.col == 26);
  CHECK(OneOperation("client", "shutdown once policy=busy").policy->value ==
        Policy::kBusy);
  CHECK(OneOperation("client", "write \"x\" policy=\"want_write_fatal\"")
            .policy->value == Policy::kWantWriteFatal);
}

TEST_CASE("run: defaults, options and verdicts", "[programs]") {
  RunStep plain = OneRun("run");
  CHECK(plain.chunk.kind == Amount::Kind::kAll);
  CHECK(plain.first == Side::kClient);
  CHECK(plain.limit == 10000);
  CHECK(plain.expect == RunVerdict::kDone);
  CHECK_FALSE(plain.failed_by);

  RunStep full = OneRun("run deliver=1 first=server limit=500 -> deadlock");
  CHECK(full.chunk.kind == Amount::Kind::kBytes);
  CHECK(full.chunk.bytes == 1);
  CHECK(full.first == Side::kServer);
  CHECK(full.limit == 500);
  CHECK(full.expect == RunVerdict::kDeadlock);
  CHECK(OneRun("run limit=7 deliver=record").chunk.kind ==
        Amount::Kind::kRecord);

  CHECK(OneRun("run -> done").expect == RunVerdict::kDone);
  CHECK(OneRun("run -> failed").expect == RunVerdict::kFailed);
  CHECK_FALSE(OneRun("run -> failed").failed_by);
  RunStep by = OneRun("run -> failed by server");
  CHECK(by.expect == RunVerdict::kFailed);
  CHECK(by.failed_by == Side::kServer);
  CHECK(OneRun("run -> spinning").expect == RunVerdict::kSpinning);
  CHECK(OneRun("run -> unfinished").expect == RunVerdict::kUnfinished);
}

TEST_CASE("a run needs only one side's program", "[programs]") {
  Scenario s = MustParse("program server {\n  accept\n}\nrun -> failed\n");
  CHECK(s.steps.size() == 1);
}

TEST_CASE("expect SIDE read and expect SIDE program", "[programs]") {
  Scenario s = MustParse(WithProgram(R"(run
expect client read = "HTTP/1.1 200 OK\r\n\r\n"
expect server read = ""
expect client read = "ab" * 2
expect server program = waiting
expect client program = "done"
)"));
  REQUIRE(s.steps.size() == 6);
  const auto& read = std::get<ExpectStep>(s.steps[1]);
  CHECK(read.property == Property::kProgramRead);
  CHECK(read.side == Side::kClient);
  CHECK(std::get<std::string>(read.value) == "HTTP/1.1 200 OK\r\n\r\n");
  CHECK(read.value_pos.col == 22);
  CHECK(std::get<std::string>(std::get<ExpectStep>(s.steps[2]).value) == "");
  CHECK(std::get<std::string>(std::get<ExpectStep>(s.steps[3]).value) ==
        "abab");
  const auto& program = std::get<ExpectStep>(s.steps[4]);
  CHECK(program.property == Property::kProgram);
  CHECK(program.side == Side::kServer);
  CHECK(std::get<std::string>(program.value) == "waiting");
  CHECK(std::get<std::string>(std::get<ExpectStep>(s.steps[5]).value) ==
        "done");
  for (const char* state : {"done", "failed", "waiting", "none"}) {
    Scenario one =
        MustParse(std::string("expect client program = ") + state + "\n");
    CHECK(std::get<std::string>(std::get<ExpectStep>(one.steps[0]).value) ==
          state);
  }
}

constexpr char kHttp[] = R"(scenario "HTTP-like request and response"

program client policy=full_duplex {
  connect
  write "GET / HTTP/1.1\r\nHost: server.test\r\n\r\n"
  read until "\r\n\r\n"
  shutdown once policy=busy
}

program server blocking {
  accept
  read until "\r\n\r\n" policy=read_waits_readable
  write "HTTP/1.1 200 OK\r\n\r\n"
  read until close_notify
  shutdown
}

run deliver=record first=server limit=500 -> done
expect client read = "HTTP/1.1 200 OK\r\n\r\n"
expect server program = done
)";

TEST_CASE("programs print in canonical form and parse back equal",
          "[programs]") {
  Scenario first = MustParse(kHttp);
  std::string printed = Print(first);
  CHECK(printed == kHttp);
  Scenario second = MustParse(printed);
  CHECK(second == first);
  CHECK(Print(second) == printed);
}

TEST_CASE("every operation and run form prints back to itself", "[programs]") {
  const std::string text = R"(program client blocking policy=want_write_fatal {
  connect
  do_handshake policy=correct
  write "x" * 5000
  write_early "early"
  read 1
  read until "a\tb" policy=full_duplex
  read until close_notify
  shutdown
  shutdown once
  key_update
  key_update requested
  renegotiate
  wait peer policy=busy
}

program server policy=write_waits_writable {
  accept
  read_early
  verify_client_post_handshake
  read until "HTTP"
}

run deliver=all first=client limit=10000 -> done
run deliver=3 first=server limit=1 -> failed by client
run deliver=record first=client limit=9 -> failed
run deliver=all first=client limit=10000 -> deadlock
run deliver=all first=client limit=10000 -> spinning
run deliver=all first=client limit=10000 -> unfinished
expect client read = "x" * 5000
expect client program = none
)";
  Scenario first = MustParse(text);
  CHECK(first.programs[0].operations.size() == 13);
  std::string printed = Print(first);
  CHECK(printed == text);
  CHECK(MustParse(printed) == first);

  // A text at the limit prints as a literal, and reads back the same.
  Scenario limit =
      MustParse("program server {\n  read until \"x\" * 4096\n}\n");
  CHECK(limit.programs[0].operations[0].data.size() == 4096);
  CHECK(MustParse(Print(limit)) == limit);
}

TEST_CASE("the printer's run defaults and its key_update spelling",
          "[programs]") {
  Scenario s = MustParse(WithProgram("run\n"));
  CHECK(Print(s) ==
        "program client {\n  connect\n}\n\n"
        "run deliver=all first=client limit=10000 -> done\n");
  Scenario k = MustParse("program client {\n  key_update not_requested\n}\n");
  CHECK(Print(k) == "program client {\n  key_update\n}\n");
  CHECK(ProgramOperationText(k.programs[0].operations[0]) == "key_update");
}

// scenarios/NAME from the runfiles, or "" when it is not there.
std::string ScenariosFile(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return "";
  std::ifstream in(std::filesystem::path(srcdir) / workspace / "scenarios" /
                   name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Reference() { return ScenariosFile("README.md"); }

// The worked example shows the programs and steps of a shipped file (its
// blocks left out): both say the same.
TEST_CASE("the language reference's program example is the shipped file's",
          "[programs]") {
  std::string readme = Reference();
  size_t section = readme.find("#### Programs and `run`");
  REQUIRE(section != std::string::npos);
  // The first code block after the example's file name.
  size_t named = readme.find("`programs/http_tls13.tlsim`", section);
  REQUIRE(named != std::string::npos);
  size_t start = readme.find("```\n", named);
  REQUIRE(start != std::string::npos);
  start += 4;
  size_t end = readme.find("```", start);
  REQUIRE(end != std::string::npos);
  Scenario s = MustParse(readme.substr(start, end - start));
  REQUIRE(s.programs.size() == 2);
  CHECK(s.programs[0].operations.size() == 4);
  CHECK(s.programs[1].operations[1].data == "\r\n\r\n");
  CHECK(std::get<RunStep>(s.steps.at(0)).expect == RunVerdict::kDone);
  std::string text = ScenariosFile("programs/http_tls13.tlsim");
  REQUIRE_FALSE(text.empty());
  Scenario shipped = MustParse(text);
  CHECK(s.programs == shipped.programs);
  CHECK(s.steps == shipped.steps);
}

TEST_CASE("the language reference names every operation and policy",
          "[programs]") {
  std::string readme = Reference();
  for (const char* word : {"`connect`",
                           "`accept`",
                           "`do_handshake`",
                           "`write DATA`",
                           "`read N`",
                           "`read until \"TEXT\"`",
                           "`read until close_notify`",
                           "`shutdown`",
                           "`shutdown once`",
                           "`key_update [requested]`",
                           "`renegotiate`",
                           "`verify_client_post_handshake`",
                           "`write_early DATA`",
                           "`read_early`",
                           "`wait peer`",
                           "`correct`",
                           "`read_waits_readable`",
                           "`want_write_fatal`",
                           "`full_duplex`",
                           "`read_while_write_owed`",
                           "`busy`",
                           "`write_waits_writable`"}) {
    INFO(word);  // a row of the operations' or the policies' table
    CHECK(readme.find(std::string("| ") + word + " |") != std::string::npos);
  }
  for (const char* verdict :
       {"`done`", "`failed`", "`deadlock`", "`spinning`", "`unfinished`"}) {
    INFO(verdict);  // an item of the verdicts' list
    CHECK(readme.find(std::string("- ") + verdict) != std::string::npos);
  }
}

// ---- Mistakes ----

TEST_CASE("an operation the side cannot make", "[programs][errors]") {
  CHECK(ParseError("program client {\n  accept\n}\n") ==
        "t.tlsim:2:3: error: a client program cannot 'accept': SSL_accept "
        "starts a server's handshake; a client uses connect or "
        "do_handshake\n"
        "  accept\n"
        "  ^\n");
  CHECK(OperationError("server", "connect") ==
        "t.tlsim:2:3: error: a server program cannot 'connect': SSL_connect "
        "starts a client's handshake; a server uses accept or do_handshake");
  CHECK(OperationError("server", "write_early \"x\"") ==
        "t.tlsim:2:3: error: a server program cannot 'write_early': only a "
        "client sends early data");
  CHECK(OperationError("client", "read_early") ==
        "t.tlsim:2:3: error: a client program cannot 'read_early': only a "
        "server reads early data");
  CHECK(OperationError("client", "verify_client_post_handshake") ==
        "t.tlsim:2:3: error: a client program cannot "
        "'verify_client_post_handshake': only a server asks its client for a "
        "certificate");
}

TEST_CASE("a policy that does not exist lists the valid ones",
          "[programs][errors]") {
  const std::string kList =
      "(policies: correct, read_waits_readable, want_write_fatal, "
      "full_duplex, read_while_write_owed, busy or write_waits_writable)";
  CHECK(ParseError("program client policy=lazy {\n  connect\n}\n") ==
        "t.tlsim:1:23: error: unknown policy 'lazy' " + kList +
            "\n"
            "program client policy=lazy {\n"
            "                      ^\n");
  CHECK(OperationError("client", "connect policy=Busy") ==
        "t.tlsim:2:18: error: unknown policy 'Busy' " + kList);
  CHECK(OperationError("client", "connect policy=") ==
        "t.tlsim:2:18: error: expected a policy after 'policy=' (correct, "
        "read_waits_readable, want_write_fatal, full_duplex, "
        "read_while_write_owed, busy or write_waits_writable), found newline");
  CHECK(OperationError("client", "connect policy busy") ==
        "t.tlsim:2:18: error: expected '=' after 'policy', found 'busy'");
  CHECK(OperationError("client", "connect policy=busy policy=busy") ==
        "t.tlsim:2:23: error: duplicate 'policy='");
  CHECK(FirstLine(ParseError(
            "program client policy=busy policy=busy {\n  connect\n}\n")) ==
        "t.tlsim:1:28: error: duplicate 'policy='");
}

TEST_CASE("a program with no operations", "[programs][errors]") {
  const std::string kMessage =
      "error: the client's program has no operations: it needs at least one "
      "(connect, accept, do_handshake, write, read, shutdown, key_update, "
      "renegotiate, verify_client_post_handshake, write_early, read_early, "
      "wait)";
  CHECK(ParseError("program client {\n}\n") ==
        "t.tlsim:1:1: " + kMessage + "\nprogram client {\n^\n");
  CHECK(FirstLine(ParseError("program client {\n\n  # nothing yet\n}\n")) ==
        "t.tlsim:1:1: " + kMessage);
}

TEST_CASE("read until a text longer than the limit", "[programs][errors]") {
  CHECK(OperationError("client",
                       "read until \"" + std::string(4097, 'x') + "\"") ==
        "t.tlsim:2:14: error: the text of 'read until' is 4097 bytes, longer "
        "than the limit of 4096 bytes");
  CHECK(OperationError("client", R"(read until "ab" * 2049)") ==
        "t.tlsim:2:14: error: the text of 'read until' is 4098 bytes, longer "
        "than the limit of 4096 bytes");
  CHECK(OperationError("client", R"(read until "")") ==
        "t.tlsim:2:14: error: 'read until' needs a text to wait for; an "
        "empty one is always there");
  CHECK(OperationError("client", "read until eof") ==
        "t.tlsim:2:14: error: expected a string or close_notify after "
        "'until', found 'eof'");
  CHECK(OperationError("client", "read") ==
        "t.tlsim:2:7: error: expected a byte count from 1 to 16777216, or "
        "until after 'read', found newline");
  CHECK(OperationError("client", "read 16777217") ==
        "t.tlsim:2:8: error: expected a byte count from 1 to 16777216, or "
        "until, found '16777217'");
  CHECK(OperationError("client", "read 0") ==
        "t.tlsim:2:8: error: expected a byte count from 1 to 16777216, or "
        "until, found '0'");
}

TEST_CASE("a second program for the same side", "[programs][errors]") {
  CHECK(ParseError("program server {\n  accept\n}\n"
                   "program server {\n  accept\n}\n") ==
        "t.tlsim:4:1: error: duplicate program for the server (first at line "
        "1): one program per side\n"
        "program server {\n"
        "^\n");
}

TEST_CASE("a run in a file without programs", "[programs][errors]") {
  CHECK(ParseError("client connect -> -1 WANT_READ\nrun -> done\n") ==
        "t.tlsim:2:1: error: 'run' runs the sides' programs, and this file "
        "declares none: add a 'program client { ... }' or 'program server "
        "{ ... }' block before the steps\n"
        "run -> done\n"
        "^\n");
}

TEST_CASE("unknown and duplicate run options", "[programs][errors]") {
  CHECK(FirstLine(ParseError(WithProgram("run speed=2\n"))) ==
        "t.tlsim:4:5: error: unknown run option 'speed' (options: deliver=, "
        "first=, limit=)");
  CHECK(FirstLine(ParseError(WithProgram("run limit=2 limit=3\n"))) ==
        "t.tlsim:4:13: error: duplicate run option 'limit'");
  CHECK(FirstLine(ParseError(WithProgram("run deadlock\n"))) ==
        "t.tlsim:4:5: error: expected '->' before 'deadlock'");
  CHECK(FirstLine(ParseError(WithProgram("run limit=0\n"))) ==
        "t.tlsim:4:11: error: expected a positive integer, found '0' "
        "(allowed: 1 to 9223372036854775807)");
  CHECK(FirstLine(ParseError(WithProgram("run first=both\n"))) ==
        "t.tlsim:4:11: error: expected client or server, found 'both'");
  CHECK(FirstLine(ParseError(WithProgram("run -> stalled\n"))) ==
        "t.tlsim:4:8: error: expected done, failed, deadlock, spinning or "
        "unfinished, found 'stalled'");
  CHECK(FirstLine(ParseError(WithProgram("run -> done now\n"))) ==
        "t.tlsim:4:13: error: expected end of line, found 'now'");
}

TEST_CASE("failed by with another verdict", "[programs][errors]") {
  CHECK(ParseError(WithProgram("run -> deadlock by client\n")) ==
        "t.tlsim:4:17: error: 'by' names the side that failed first: only "
        "after 'failed'\n"
        "run -> deadlock by client\n"
        "                ^\n");
  CHECK(FirstLine(ParseError(WithProgram("run -> failed by nobody\n"))) ==
        "t.tlsim:4:18: error: expected client or server, found 'nobody'");
}

TEST_CASE("blocking given twice, and other program options",
          "[programs][errors]") {
  CHECK(ParseError("program client blocking blocking {\n  connect\n}\n") ==
        "t.tlsim:1:25: error: duplicate 'blocking'\n"
        "program client blocking blocking {\n"
        "                        ^\n");
  CHECK(FirstLine(ParseError("program client fast {\n  connect\n}\n")) ==
        "t.tlsim:1:16: error: unknown program option 'fast' (options: "
        "blocking, policy=NAME)");
  CHECK(FirstLine(ParseError("program both {\n  connect\n}\n")) ==
        "t.tlsim:1:9: error: expected client or server after 'program', "
        "found 'both'");
  CHECK(FirstLine(ParseError("program client\n  connect\n")) ==
        "t.tlsim:1:15: error: expected '{' after 'program client', found "
        "newline");
  CHECK(FirstLine(ParseError("program client {\n  connect\n")) ==
        "t.tlsim:1:1: error: missing '}' for the block opened at line 1");
}

TEST_CASE("an unknown operation", "[programs][errors]") {
  CHECK(ParseError("program client {\n  conect\n}\n") ==
        "t.tlsim:2:3: error: unknown operation 'conect' (operations: "
        "connect, accept, do_handshake, write, read, shutdown, key_update, "
        "renegotiate, verify_client_post_handshake, write_early, read_early, "
        "wait)\n"
        "  conect\n"
        "  ^\n");
  CHECK(OperationError("client", "wait") ==
        "t.tlsim:2:7: error: expected 'peer' after 'wait' (a program waits "
        "for its peer's program to finish), found newline");
  CHECK(OperationError("client", "connect now") ==
        "t.tlsim:2:11: error: expected policy=NAME or end of line after "
        "'connect', found 'now'");
  CHECK(OperationError("client", "shutdown twice") ==
        "t.tlsim:2:12: error: expected policy=NAME or end of line after "
        "'shutdown', found 'twice'");
  CHECK(OperationError("client", "write") ==
        "t.tlsim:2:8: error: expected a string after 'write', found newline");
}

TEST_CASE("a program block after the first step", "[programs][errors]") {
  CHECK(FirstLine(ParseError("client connect -> -1 WANT_READ\nprogram client "
                             "{\n  connect\n}\n")) ==
        "t.tlsim:2:1: error: 'program' block must come before the first step");
}

TEST_CASE("mistakes in the program expectations", "[programs][errors]") {
  CHECK(FirstLine(ParseError("expect client program = finished\n")) ==
        "t.tlsim:1:25: error: expected done, failed, waiting or none, found "
        "'finished'");
  CHECK(FirstLine(ParseError("expect client read = HTTP\n")) ==
        "t.tlsim:1:22: error: expected a string after 'read =', found 'HTTP'");
}

}  // namespace
}  // namespace tlsim::scenario

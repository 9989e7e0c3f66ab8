// tlsim shrink on real scenarios: each shrunk scenario is parsed and run
// again and must fail the same way, at the same step, with less in it.
#include "lib/shrink/shrink.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "lib/scenario/parser.h"
#include "lib/shrink/failure.h"
#include "tests/command.h"
#include "tests/runfiles.h"

namespace tlsim {
namespace {

namespace fs = std::filesystem;
using tests::ReadAll;
using tests::Runfiles;

// A shipped scenario's text with `from` replaced by `to` (which must be
// there).
std::string Changed(const std::string& path, const std::string& from,
                    const std::string& to) {
  std::string text = ReadAll(Runfiles() / path);
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

struct Shrunk {
  shrink::Status status;
  shrink::Result result;
  scenario::Diagnostic bad;
};

Shrunk ShrinkText(const std::string& text, int max_runs = 300) {
  scenario::Scenario s;
  scenario::Diagnostic d;
  INFO(d.Format());
  REQUIRE(scenario::Parse("t.tlsim", text, &s, &d));
  Shrunk out;
  shrink::Options options;
  options.max_runs = max_runs;
  out.status = shrink::Shrink(s, text, options, &out.result, &out.bad);
  return out;
}

// The shrunk text, parsed and run once more, fails the same way as the
// original, at the step that came from the original's failed one.
void RequireFailsTheSameWay(const shrink::Result& r) {
  INFO(r.text);
  shrink::Failure again;
  scenario::Diagnostic d;
  REQUIRE(shrink::RunText("shrunk.tlsim", r.text, &again, &d) ==
          shrink::RunResult::kFailed);
  CHECK(again.SameWay(r.failure));
  CHECK(again.step + 1 == r.smallest.steps.size());  // nothing after it
}

bool Reduced(const shrink::Result& r, const std::string& words) {
  return std::any_of(
      r.reductions.begin(), r.reductions.end(),
      [&](const std::string& line) { return line.find(words) == 0; });
}

TEST_CASE("a run expected done that deadlocks shrinks to the deadlock") {
  // openssl#7967's deadlock on tickets, told it should finish.
  Shrunk s =
      ShrinkText(Changed("scenarios/programs/blocking_deadlock_tickets.tlsim",
                         "run -> deadlock", "run -> done"));
  REQUIRE(s.status == shrink::Status::kShrunk);
  const shrink::Result& r = s.result;
  INFO(r.text);
  // Not any deadlock: both blocking sides stuck in a write, as before.
  CHECK(r.failure.kind == "run");
  CHECK(r.failure.how ==
        "observed deadlock; client write -> WANT_WRITE (blocks until "
        "writable); server accept -> WANT_WRITE (blocks until writable)");
  RequireFailsTheSameWay(r);
  // The four expectations after the run went first, and the run is alone.
  CHECK(r.reductions.front() ==
        "removed 4 steps after the failed one: L43-L46");
  CHECK(r.before.steps == 5);
  CHECK(r.after.steps == 1);
  CHECK(std::holds_alternative<scenario::RunStep>(r.smallest.steps[0]));
  // Verification plays no part in the deadlock; the small buffers do.
  CHECK(r.after.settings < r.before.settings);
  CHECK_FALSE(r.smallest.client.verify.has_value());
  CHECK_FALSE(r.smallest.client.versions.has_value());
  CHECK(r.smallest.client.network_capacity.has_value());
  CHECK(r.smallest.server.network_capacity.has_value());
  // The reads after the writes never happen: gone.
  CHECK(r.after.operations < r.before.operations);
  CHECK(r.runs > 0);
  CHECK(r.runs <= 300);
  CHECK_FALSE(r.bounded);
}

TEST_CASE("an expectation shrinks to the steps it needs") {
  // The server's cipher is known once it has read the ClientHello: the
  // client's first flight, its delivery and one accept are what it needs.
  Shrunk s = ShrinkText(
      Changed("scenarios/handshake/tls13_flights.tlsim",
              "expect server cipher         = TLS_AES_256_GCM_SHA384",
              "expect server cipher = TLS_AES_128_GCM_SHA256"));
  REQUIRE(s.status == shrink::Status::kShrunk);
  const shrink::Result& r = s.result;
  INFO(r.text);
  CHECK(r.failure.kind == "expect");
  CHECK(r.failure.how == "server cipher observed TLS_AES_256_GCM_SHA384");
  RequireFailsTheSameWay(r);
  REQUIRE(r.smallest.steps.size() == 4);
  const auto* connect = std::get_if<scenario::CallStep>(&r.smallest.steps[0]);
  REQUIRE(connect != nullptr);
  CHECK(connect->call == scenario::Call::kConnect);
  CHECK(std::holds_alternative<scenario::DeliverStep>(r.smallest.steps[1]));
  const auto* accept = std::get_if<scenario::CallStep>(&r.smallest.steps[2]);
  REQUIRE(accept != nullptr);
  CHECK(accept->call == scenario::Call::kAccept);
  CHECK(std::holds_alternative<scenario::ExpectStep>(r.smallest.steps[3]));
  // No setting of the client's changes the cipher the server picks.
  scenario::EndpointDecl bare;
  bare.declared = true;
  CHECK(r.smallest.client == bare);
  // The nine steps after it, four of them under one-line conditions.
  CHECK(Reduced(r, "removed 9 steps and 4 'if' blocks"));
}

TEST_CASE("a call's outcome keeps its call, item and observed error") {
  // The server sends protocol_version, not handshake_failure.
  Shrunk s = ShrinkText(Changed("scenarios/failures/version_mismatch.tlsim",
                                "alert_sent=fatal:protocol_version",
                                "alert_sent=fatal:handshake_failure"));
  REQUIRE(s.status == shrink::Status::kShrunk);
  const shrink::Result& r = s.result;
  INFO(r.text);
  CHECK(r.failure.kind == "call");
  CHECK(r.failure.how == "server accept: alert sent, observed SSL");
  RequireFailsTheSameWay(r);
  // connect, deliver, accept, and of all the settings only the server's
  // versions = TLSv1.3: the client's TLSv1.2 went, and so did the server's
  // certificate. OpenSSL 3.0 does not count TLS 1.3 among the versions of
  // a server without a certificate (or a PSK), so a TLS 1.3-only server
  // refuses every ClientHello the same way.
  CHECK(r.after.steps == 3);
  scenario::EndpointDecl bare;
  bare.declared = true;
  CHECK(r.smallest.client == bare);
  CHECK(r.smallest.server.versions.has_value());
  CHECK_FALSE(r.smallest.server.cert.has_value());
  CHECK(r.smallest.pki.empty());
}

TEST_CASE("unreferenced certificates go, and payloads halve together") {
  const std::string text = R"(scenario "payloads"
seed 1
pki {
  ca   root
  leaf server.test issuer=root
  ca   other
  leaf unused.test issuer=other
}
client {
  verify = peer
  trust  = root
}
server {
  cert = server.test
}
program client {
  connect
  write "x" * 5000
}
program server {
  accept
  read 5000
}
run -> done
expect server read = "x" * 5000
expect server program = failed
)";
  Shrunk s = ShrinkText(text);
  REQUIRE(s.status == shrink::Status::kShrunk);
  const shrink::Result& r = s.result;
  INFO(r.text);
  CHECK(r.failure.how == "server program observed done");
  RequireFailsTheSameWay(r);
  // `trust` went, then root's leaf and root are still named by `cert` and
  // the leaf's issuer; other and unused.test never were.
  CHECK(Reduced(r, "removed unreferenced "));
  REQUIRE(r.smallest.pki.size() == 2);
  CHECK(r.smallest.pki[0].name == "root");
  CHECK(r.smallest.pki[1].name == "server.test");
  // The write and the read of the same 5000 bytes halve together (one
  // alone would leave the server waiting: a deadlock, not the same run).
  CHECK(Reduced(r, "halved 2 payloads: "));
  CHECK(r.after.payload < 100);
  CHECK(r.before.payload == 15000);
}

TEST_CASE("the bound stops the shrink with what it has") {
  Shrunk s =
      ShrinkText(Changed("scenarios/programs/blocking_deadlock_tickets.tlsim",
                         "run -> deadlock", "run -> done"),
                 3);
  REQUIRE(s.status == shrink::Status::kShrunk);
  CHECK(s.result.runs == 3);
  CHECK(s.result.bounded);
  RequireFailsTheSameWay(s.result);
}

TEST_CASE("a scenario that passes has nothing to shrink") {
  std::string text = ReadAll(
      Runfiles() / "scenarios/programs/blocking_deadlock_tickets.tlsim");
  Shrunk s = ShrinkText(text);
  CHECK(s.status == shrink::Status::kPasses);
  CHECK(s.result.runs == 0);
}

TEST_CASE("a setting OpenSSL refuses is bad input, with its place") {
  Shrunk s = ShrinkText(
      "client {\n  groups = nosuchgroup\n}\nexpect client version = none\n");
  CHECK(s.status == shrink::Status::kRefused);
  CHECK(s.bad.line == 2);
  CHECK(s.bad.message.find("nosuchgroup") != std::string::npos);
}

TEST_CASE("numbers do not count in wire failures") {
  CHECK(shrink::MaskNumbers("asked for 8 bytes, only 7 in flight") ==
        "asked for N bytes, only N in flight");
  CHECK(shrink::MaskNumbers("no record 12 in flight (2 records)") ==
        "no record N in flight (N records)");
}

// The command line: exit codes and messages (standard error apart).
using Command = tests::CommandResult;

Command Tlsim(const std::string& args) {
  return tests::RunCommand("timeout 120 " +
                           (Runfiles() / "sim/tlsim").string() + " " + args);
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  fs::path p = fs::path(std::getenv("TEST_TMPDIR")) / name;
  std::ofstream(p) << text;
  return p.string();
}

TEST_CASE("tlsim shrink writes a scenario that checks and fails the same way",
          "[cli]") {
  std::string path =
      WriteTemp("deadlock.tlsim",
                Changed("scenarios/programs/blocking_deadlock_tickets.tlsim",
                        "run -> deadlock", "run -> done"));
  std::string out = WriteTemp("small.tlsim", "");
  Command c = Tlsim("shrink " + path + " --output " + out);
  INFO(c.err);
  REQUIRE(c.exit_code == 0);
  CHECK(c.out.empty());
  CHECK(c.err.find(path + ":42: fails: run: expected done, observed "
                          "deadlock: ") == 0);
  CHECK(c.err.find("\nremoved 4 steps after the failed one: L43-L46\n") !=
        std::string::npos);
  CHECK(c.err.find("\nshrunk from 5 steps, ") != std::string::npos);
  CHECK(c.err.find(" candidate runs (") != std::string::npos);

  Command check = Tlsim("check " + out);
  CHECK(check.exit_code == 0);
  Command run = Tlsim("run " + out);
  CHECK(run.exit_code == 1);
  CHECK(run.err.find(": run: expected done, observed deadlock: ") !=
        std::string::npos);

  // Without --output the scenario is the standard output.
  Command to_stdout = Tlsim("shrink " + path);
  CHECK(to_stdout.exit_code == 0);
  CHECK(to_stdout.out == ReadAll(out));
}

TEST_CASE("tlsim shrink refuses a passing scenario and bad input", "[cli]") {
  fs::path passing =
      Runfiles() / "scenarios/programs/blocking_deadlock_tickets.tlsim";
  Command c = Tlsim("shrink " + passing.string());
  CHECK(c.exit_code == 2);
  CHECK(c.out.empty());
  CHECK(c.err == passing.string() + " passes: nothing to shrink\n");

  std::string bad = WriteTemp("bad.tlsim", "client conect -> 1\n");
  Command b = Tlsim("shrink " + bad);
  CHECK(b.exit_code == 2);
  CHECK(b.err.find(bad + ":1:8: error: unknown call 'conect'") == 0);
}

}  // namespace
}  // namespace tlsim

// The runner against real OpenSSL: verdicts carry the failing line, stalls
// and missing records are reported, bad settings are caught before a step.
#include "lib/run/runner.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "lib/scenario/parser.h"
#include "lib/trace/event.h"
#include "lib/trace/text.h"
#include "tests/openssl_differences.h"

namespace tlsim {
namespace {

const char kPrelude[] = R"(scenario "test"
pki {
  ca root
  leaf server.test issuer=root
}
client {
  verify = peer
  trust = root
  server_name = server.test
}
server {
  cert = server.test
}
)";

// Collects every event, for assertions on what the runner did.
class Recorder : public trace::Observer {
 public:
  void OnHeader(const trace::Header& h) override { header = h; }
  void OnEvent(const trace::Event& e) override { events.push_back(e); }
  void OnFooter(const trace::Footer& f) override { footer = f; }

  std::vector<trace::CallEvent> Calls() const {
    std::vector<trace::CallEvent> out;
    for (const trace::Event& e : events) {
      if (const auto* c = std::get_if<trace::CallEvent>(&e)) out.push_back(*c);
    }
    return out;
  }

  trace::Header header;
  std::vector<trace::Event> events;
  trace::Footer footer;
};

struct Outcome {
  bool prepared = false;
  scenario::Diagnostic diagnostic;
  run::Verdict verdict;
  Recorder recorder;
  std::string text;  // the text trace
};

// Parses (which must succeed), prepares and runs `steps` after kPrelude.
void RunSteps(const std::string& steps, Outcome* out,
              const std::string& prelude = kPrelude) {
  std::string source = prelude + steps;
  scenario::Scenario s;
  scenario::Diagnostic d;
  REQUIRE(scenario::Parse("t.tlsim", source, &s, &d));
  run::Runner runner(s, source);
  out->prepared = runner.Prepare(&out->diagnostic);
  if (!out->prepared) return;
  std::ostringstream text;
  trace::TextObserver observer(&text);
  out->verdict = runner.Run({&out->recorder, &observer});
  out->text = text.str();
}

TEST_CASE("a TLS 1.3 handshake one flight at a time passes", "[run]") {
  Outcome o;
  RunSteps(R"(client connect -> -1 WANT_READ
deliver client->server all
server accept -> -1 WANT_READ
deliver server->client all
client connect -> 1
deliver client->server all
server accept -> 1
expect client version = TLSv1.3
expect server handshake_done = yes
)",
           &o);
  REQUIRE(o.prepared);
  CHECK(o.verdict.passed);
  std::vector<trace::CallEvent> calls = o.recorder.Calls();
  REQUIRE(calls.size() == 4);
  CHECK(trace::MessageNames(calls[0].sent) ==
        std::vector<std::string>{"ClientHello"});
  CHECK(calls[0].in_flight[0] > 0);
  CHECK(trace::MessageNames(calls[1].received) ==
        std::vector<std::string>{"ClientHello"});
  CHECK(trace::MessageName(calls[1].sent.front()) == "ServerHello");
  CHECK(trace::MessageName(calls[1].sent.back()) == "Finished");
  CHECK(calls[3].ret == 1);
  CHECK(o.recorder.header.openssl_version.find(tests::VersionTextPrefix()) ==
        0);
}

TEST_CASE("a wrong expectation is reported with its line and both values",
          "[run]") {
  Outcome o;
  RunSteps("client connect -> -1 WANT_READ\nclient connect -> 1\n", &o);
  REQUIRE(o.prepared);
  CHECK_FALSE(o.verdict.passed);
  CHECK(o.verdict.line == 15);
  CHECK(o.verdict.message ==
        "client connect: expected 1, observed -1 WANT_READ");
  CHECK(o.verdict.Format("t.tlsim") ==
        "t.tlsim:15: client connect: expected 1, observed -1 WANT_READ");
  CHECK(o.text.find("# FAIL: t.tlsim:15:") != std::string::npos);
}

TEST_CASE("alert_sent=none fails when an alert was sent", "[run]") {
  Outcome o;
  std::string prelude = kPrelude;
  prelude.replace(prelude.find("  verify = peer"), 0, "  versions = TLSv1.2\n");
  prelude.replace(prelude.find("  cert = server.test"), 0,
                  "  versions = TLSv1.3\n");
  RunSteps(R"(client connect -> -1 WANT_READ alert_sent=none
expect client version = TLSv1.2
deliver client->server all
server accept -> -1 SSL alert_sent=none
)",
           &o, prelude);
  CHECK_FALSE(o.verdict.passed);
  CHECK(o.verdict.message ==
        "server accept: expected alert sent none, observed "
        "fatal:protocol_version");
}

TEST_CASE("the run stops at the first failed expectation", "[run]") {
  Outcome o;
  RunSteps("client connect -> -1 WANT_WRITE\nclient connect -> any\n", &o);
  CHECK_FALSE(o.verdict.passed);
  CHECK(o.verdict.line == 14);
  CHECK(o.recorder.Calls().size() == 1);
}

TEST_CASE("two servers waiting for each other stall instead of hanging",
          "[run]") {
  Outcome o;
  RunSteps("client set_accept_state\ndrive -> done\n", &o);
  REQUIRE(o.prepared);
  CHECK_FALSE(o.verdict.passed);
  CHECK(o.verdict.line == 15);
  CHECK(o.verdict.message.find("drive: expected done, observed stalled: "
                               "both sides wait and nothing moves") == 0);
  CHECK(o.verdict.message.find("client -1 WANT_READ") != std::string::npos);
}

TEST_CASE("a drive with byte-at-a-time delivery completes", "[run]") {
  Outcome o;
  RunSteps("drive deliver=1 -> done\nexpect server handshake_done = yes\n", &o);
  CHECK(o.verdict.passed);
  size_t one_byte = 0;
  for (const trace::Event& e : o.recorder.events) {
    if (const auto* d = std::get_if<trace::DeliveryEvent>(&e)) {
      CHECK(d->delivery.delivered == 1);
      ++one_byte;
    }
  }
  CHECK(one_byte > 500);
}

TEST_CASE("a drive that ends in a failure reports both sides", "[run]") {
  Outcome o;
  std::string prelude = kPrelude;
  prelude.replace(prelude.find("  verify = peer"), 0, "  versions = TLSv1.2\n");
  prelude.replace(prelude.find("  cert = server.test"), 0,
                  "  versions = TLSv1.3\n");
  RunSteps("drive -> failed\n", &o, prelude);
  REQUIRE(o.prepared);
  CHECK(o.verdict.passed);
  std::vector<trace::CallEvent> calls = o.recorder.Calls();
  REQUIRE(calls.size() >= 2);
  // The server refuses the version and says so; the client reads the alert.
  const trace::CallEvent& server = calls[calls.size() - 2];
  const trace::CallEvent& client = calls.back();
  CHECK(server.side == wire::Side::kServer);
  CHECK(server.error_name() == "SSL");
  REQUIRE(server.alerts_sent.size() == 1);
  CHECK(server.alerts_sent[0].description == 70);  // protocol_version
  CHECK(client.side == wire::Side::kClient);
  CHECK(client.error_name() == "SSL");
  REQUIRE(client.alerts_received.size() == 1);
  CHECK(client.alerts_received[0].description == 70);
}

TEST_CASE("a record that never arrives fails naming the step", "[run]") {
  Outcome o;
  RunSteps("deliver server->client record\n", &o);
  CHECK_FALSE(o.verdict.passed);
  CHECK(o.verdict.Format("t.tlsim") ==
        "t.tlsim:14: deliver server->client record: no record in flight");
}

TEST_CASE("a wire step expected to fail passes when it fails and goes on",
          "[run]") {
  Outcome o;
  RunSteps(
      "deliver server->client record -> fails \"no record in flight\"\n"
      "client connect -> -1 WANT_READ\n"
      "drop client->server record 2 -> fails\n"
      "truncate client->server 100\n"
      "deliver client->server record -> fails \"no whole record\"\n"
      "deliver client->server all\n"
      "server accept -> -1 WANT_READ\n",
      &o);
  INFO(o.text);
  CHECK(o.verdict.passed);
  CHECK(o.text.find("#1 L14 wire deliver server->client record -> fails: no "
                    "record in flight; in flight c>s 0 s>c 0\n") !=
        std::string::npos);
  CHECK(o.text.find("#3 L16 wire drop client->server record 2 -> fails: no "
                    "record 2 in flight (1 record); in flight c>s ") !=
        std::string::npos);
  CHECK(o.text.find("#5 L18 wire deliver client->server record -> fails: no "
                    "whole record in flight (100 bytes, ") !=
        std::string::npos);
  int expected_failures = 0;
  for (const trace::Event& e : o.recorder.events) {
    if (const auto* d = std::get_if<trace::DeliveryEvent>(&e)) {
      expected_failures += d->expect_fails && !d->delivery.ok;
    } else if (const auto* f = std::get_if<trace::FaultEvent>(&e)) {
      expected_failures += f->expect_fails && !f->ok;
    }
  }
  CHECK(expected_failures == 3);
}

TEST_CASE("a wire step expected to fail fails the run when it succeeds",
          "[run]") {
  Outcome o;
  RunSteps(
      "client connect -> -1 WANT_READ\n"
      "deliver client->server all -> fails \"the direction is closed\"\n"
      "server accept -> -1 WANT_READ\n",
      &o);
  CHECK_FALSE(o.verdict.passed);
  CHECK(o.verdict.line == 15);
  CHECK(o.verdict.message.find(
            "deliver client->server all: expected it to fail with \"the "
            "direction is closed\", it succeeded: delivered ") == 0);
  // The step's line is the usual one for a delivery that worked.
  CHECK(o.text.find("#2 L15 wire deliver client->server all: ") !=
        std::string::npos);

  Outcome fault;
  RunSteps(
      "client connect -> -1 WANT_READ\n"
      "truncate client->server 10 -> fails\n",
      &fault);
  CHECK_FALSE(fault.verdict.passed);
  CHECK(fault.verdict.message.find(
            "truncate client->server 10: expected it to fail, it succeeded: "
            "truncated to 10 bytes in flight (dropped ") == 0);
}

TEST_CASE("a wire step failing with another message is a mismatch", "[run]") {
  Outcome o;
  RunSteps(
      "client connect -> -1 WANT_READ\n"
      "deliver client->server 100000 -> fails \"the direction is closed\"\n",
      &o);
  CHECK_FALSE(o.verdict.passed);
  CHECK(o.verdict.Format("t.tlsim").find(
            "t.tlsim:15: deliver client->server 100000: expected it to fail "
            "with \"the direction is closed\", observed \"asked for 100000 "
            "bytes, only ") == 0);
}

TEST_CASE("a close, which cannot fail, closes before what follows fails",
          "[run]") {
  Outcome o;
  RunSteps(
      "client connect -> -1 WANT_READ\n"
      "close client->server\n"
      "inject client->server alert fatal:handshake_failure -> fails "
      "\"the direction is closed\"\n"
      "server accept -> -1 SSL reason=\"unexpected eof\"\n",
      &o);
  INFO(o.text);
  CHECK(o.verdict.passed);
  CHECK(o.text.find("#3 L16 wire inject client->server alert "
                    "fatal:handshake_failure -> fails: cannot inject: the "
                    "direction is closed; in flight c>s 0 s>c 0\n") !=
        std::string::npos);
}

TEST_CASE("a setting OpenSSL refuses is bad input before any step runs",
          "[run]") {
  std::string source =
      "client {\n  ciphers = NOT-A-CIPHER\n}\nclient connect -> 1\n";
  scenario::Scenario s;
  scenario::Diagnostic d;
  REQUIRE(scenario::Parse("t.tlsim", source, &s, &d));
  run::Runner runner(s, source);
  REQUIRE_FALSE(runner.Prepare(&d));
  CHECK(d.line == 2);
  CHECK(d.col == 13);  // the value OpenSSL refused
  CHECK(d.source_line == "  ciphers = NOT-A-CIPHER");
  CHECK(d.message.find("client ciphers: ") == 0);
}

TEST_CASE("two runs side by side in one process do not interfere", "[run]") {
  std::string source = std::string(kPrelude) + "drive -> done\n";
  scenario::Scenario s;
  scenario::Diagnostic d;
  REQUIRE(scenario::Parse("t.tlsim", source, &s, &d));
  run::Runner a(s, source), b(s, source);
  REQUIRE(a.Prepare(&d));
  REQUIRE(b.Prepare(&d));
  CHECK(a.Run({}).passed);
  CHECK(b.Run({}).passed);
}

TEST_CASE("a set step OpenSSL refuses fails the step and says why", "[run]") {
  Outcome o;
  RunSteps("client set ciphers = nothing\n", &o);
  CHECK_FALSE(o.verdict.passed);
  CHECK(o.verdict.Format("t.tlsim") ==
        "t.tlsim:14: set ciphers = nothing: ciphers: OpenSSL refused "
        "'nothing': no cipher match");
  CHECK(o.text.find("#1 L14 client set ciphers = nothing: refused: ciphers: "
                    "OpenSSL refused 'nothing': no cipher match\n") !=
        std::string::npos);
}

TEST_CASE("a server context OpenSSL refuses is bad input at its value",
          "[run]") {
  std::string source =
      "server {\n  contexts = a.test:other\n}\n"
      "server context other {\n  sigalgs = nope\n}\nclient connect -> 1\n";
  scenario::Scenario s;
  scenario::Diagnostic d;
  REQUIRE(scenario::Parse("t.tlsim", source, &s, &d));
  run::Runner runner(s, source);
  REQUIRE_FALSE(runner.Prepare(&d));
  CHECK(d.line == 5);
  CHECK(d.col == 13);
  CHECK(d.message.find("server context other sigalgs: OpenSSL refused "
                       "'nope'") == 0);
}

// Found by tlsim shrink, which removed every step before such an
// expectation: OpenSSL 3.0's SSL_get_negotiated_group reads the session,
// which a side has only once its first ClientHello is written or read.
TEST_CASE("the group before any handshake is none, on either side", "[run]") {
  Outcome o;
  RunSteps(
      "expect client group = none\nexpect server group = none\n"
      "client connect -> -1 WANT_READ\nexpect client group = none\n",
      &o);
  CHECK(o.verdict.passed);
  CHECK(o.text.find("#2 L15 expect server group = none: ok\n") !=
        std::string::npos);
}

}  // namespace
}  // namespace tlsim

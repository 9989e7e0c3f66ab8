// run::Session, a step at a time: a caller can stop between steps, look at
// (and use) each side's SSL and the wire, and go on; events, verdicts and the
// trace are those of a whole run.
#include "lib/run/session.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lib/run/runner.h"
#include "lib/scenario/parser.h"
#include "lib/trace/event.h"
#include "lib/trace/json.h"
#include "lib/trace/text.h"
#include "tests/openssl_differences.h"

namespace tlsim {
namespace {

using wire::Side;

const char kScenario[] = R"(scenario "step by step"
seed 5
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
  cert = server.test
  num_tickets = 0
}
client connect -> -1 WANT_READ
deliver client->server all
server accept -> -1 WANT_READ
deliver server->client all
client connect -> 1
deliver client->server all
server accept -> 1
expect client version = TLSv1.3
)";

// A parsed scenario and the text it came from, which a Session borrows.
struct Parsed {
  std::string source;
  scenario::Scenario scenario;
};

void ParseOrFail(const std::string& source, Parsed* out) {
  out->source = source;
  scenario::Diagnostic d;
  REQUIRE(scenario::Parse("s.tlsim", out->source, &out->scenario, &d));
}

// The text trace of a whole run through a Runner.
std::string RunnerTrace(const Parsed& p) {
  run::Runner runner(p.scenario, p.source);
  scenario::Diagnostic d;
  REQUIRE(runner.Prepare(&d));
  std::ostringstream text;
  trace::TextObserver observer(&text);
  REQUIRE(runner.Run({&observer}).passed);
  return text.str();
}

TEST_CASE("a session stops between steps and shows each side's SSL",
          "[session]") {
  Parsed p;
  ParseOrFail(kScenario, &p);
  run::Session session(p.scenario, p.source);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  CHECK(session.next_step() == 0);
  CHECK(session.next_line() == 17);  // client connect

  // The first call and its delivery: the ClientHello reaches the server.
  REQUIRE(session.Step().passed);
  CHECK(session.wire().InFlight(Side::kClient) > 0);
  REQUIRE(session.Step().passed);
  CHECK(session.wire().InFlight(Side::kClient) == 0);
  CHECK(SSL_is_init_finished(session.ssl(Side::kClient)) == 0);
  CHECK(session.connection().name == "main");

  while (!session.done()) REQUIRE(session.Step().passed);
  CHECK(session.next_line() == 0);
  CHECK(SSL_is_init_finished(session.ssl(Side::kClient)) == 1);
  CHECK(SSL_is_init_finished(session.ssl(Side::kServer)) == 1);
  CHECK(std::string(SSL_get_version(session.ssl(Side::kServer))) == "TLSv1.3");
  run::Verdict v = session.Finish();
  CHECK(v.passed);
  REQUIRE(session.footer().digests.size() == 1);
  CHECK(session.footer().digests[0].bytes[0] > 0);
}

TEST_CASE("a session run step by step traces what a runner traces",
          "[session]") {
  Parsed p;
  ParseOrFail(kScenario, &p);
  run::Session session(p.scenario, p.source);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  std::ostringstream text;
  trace::TextObserver observer(&text);
  session.AddObserver(&observer);
  session.KeepEvents(true);
  while (!session.done()) session.Step();
  REQUIRE(session.Finish().passed);
  CHECK(text.str() == RunnerTrace(p));

  // The kept events format to the same lines.
  std::ostringstream replay;
  trace::TextObserver again(&replay);
  again.OnHeader(session.header());
  for (const trace::Event& e : session.events()) again.OnEvent(e);
  again.OnFooter(session.footer());
  CHECK(replay.str() == text.str());
  CHECK(session.events().size() == 8);
}

TEST_CASE("what the caller writes between steps is in flight at the next",
          "[session]") {
  Parsed p;
  ParseOrFail(std::string(kScenario) +
                  "deliver client->server all\n"
                  "server read 100 -> 5 data=\"hello\"\n",
              &p);
  run::Session session(p.scenario, p.source);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  while (session.next_line() != 25) REQUIRE(session.Step().passed);
  // The handshake is done: the test writes on the client's SSL itself.
  REQUIRE(SSL_write(session.ssl(Side::kClient), "hello", 5) == 5);
  while (!session.done()) REQUIRE(session.Step().passed);
  CHECK(session.Finish().passed);
}

TEST_CASE("a failed step ends the session with its line", "[session]") {
  std::string source = kScenario;
  source.replace(source.find("server accept -> -1 WANT_READ"),
                 std::string("server accept -> -1 WANT_READ").size(),
                 "server accept -> -1 WANT_WRITE");
  Parsed p;
  ParseOrFail(source, &p);
  run::Session session(p.scenario, p.source);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  REQUIRE(session.Step().passed);
  REQUIRE(session.Step().passed);
  run::Verdict v = session.Step();
  CHECK_FALSE(v.passed);
  CHECK(v.line == 19);
  CHECK(v.message ==
        "server accept: expected WANT_WRITE, observed -1 WANT_READ");
  CHECK(session.done());
  // Nothing more runs: the next step's delivery does not happen.
  size_t in_flight = session.wire().InFlight(Side::kServer);
  CHECK(in_flight > 0);
  CHECK_FALSE(session.Step().passed);
  CHECK(session.wire().InFlight(Side::kServer) == in_flight);
  CHECK(session.Finish().Format("s.tlsim") ==
        "s.tlsim:19: server accept: expected WANT_WRITE, observed -1 "
        "WANT_READ");
  CHECK(session.footer().message == session.verdict().Format("s.tlsim"));
}

// kScenario's handshake, then a client that reads with nothing to read
// after an error was left on the thread's queue.
std::string StaleErrorScenario(const std::string& client_setting) {
  std::string source = kScenario;
  source.replace(source.find("  server_name = server.test\n"),
                 std::string("  server_name = server.test\n").size(),
                 "  server_name = server.test\n" + client_setting);
  return source +
         "client raise_error\n"
         "client read 10 -> any\n"
         "client read 10 -> any\n";
}

TEST_CASE("a stale error misleads SSL_get_error only when nobody clears it",
          "[session]") {
  for (const char* setting :
       {"", "  clear_errors = on\n", "  clear_errors = off\n"}) {
    const bool keeps = std::string(setting).find("off") != std::string::npos;
    INFO(setting);
    Parsed p;
    ParseOrFail(StaleErrorScenario(setting), &p);
    run::Session session(p.scenario, p.source);
    session.KeepEvents(true);
    scenario::Diagnostic d;
    REQUIRE(session.Prepare(&d));
    while (!session.done()) REQUIRE(session.Step().passed);
    std::vector<trace::CallEvent> reads;
    for (const trace::Event& e : session.events()) {
      const auto* call = std::get_if<trace::CallEvent>(&e);
      if (call != nullptr && call->call == "read 10") reads.push_back(*call);
    }
    REQUIRE(reads.size() == 2);
    // 4.0's SSL_get_error is not misled by an error the call did not
    // raise: there `off` reads as the others do.
    const bool misled = keeps && tests::StaleErrorMisleadsGetError();
    for (const trace::CallEvent& read : reads) {
      CHECK(read.ret == -1);
      // The default, and `on`, empty the queue before the call: the read
      // says what the SSL wants. `off` leaves the stale error first.
      CHECK(read.error_name() == (misled ? "SSL" : "WANT_READ"));
      CHECK(read.reason_text() == (misled ? "internal error" : ""));
    }
    // The run ends with the thread's queue empty either way.
    CHECK(session.Finish().passed);
    CHECK(ERR_peek_error() == 0);
  }
}

// TLS 1.3 with tickets: the client reads them on connection `main`, not on
// `unread`; each is then resumed.
const char kResumes[] = R"(scenario "offered or not"
seed 3
pki {
  ca root
  leaf server.test issuer=root
}
client {
  versions = TLSv1.3
  verify = peer
  trust = root
}
server {
  cert = server.test
}
drive -> done
deliver server->client all
client read 10 -> -1 WANT_READ
connection read resume=main
client connect -> -1 WANT_READ
connection unread
drive -> done
connection again resume=unread
client connect -> -1 WANT_READ
)";

TEST_CASE(
    "a resumed connection says whether its ClientHello offers the session",
    "[session]") {
  Parsed p;
  ParseOrFail(kResumes, &p);
  run::Session session(p.scenario, p.source);
  session.KeepEvents(true);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  // What OpenSSL really did: a ClientHello that offers the session keeps it
  // as the SSL's session; one that declines it starts a new one.
  std::vector<bool> kept;
  while (!session.done()) {
    const auto* call =
        std::get_if<scenario::CallStep>(&p.scenario.steps[session.next_step()]);
    REQUIRE(session.Step().passed);
    if (call == nullptr || call->call != scenario::Call::kConnect) continue;
    run::Connection& now = session.connection();
    run::Connection* from =
        session.world().Find(now.name == "read" ? "main" : "unread");
    kept.push_back(SSL_get_session(session.ssl(Side::kClient)) ==
                   SSL_get_session(from->endpoint(Side::kClient).ssl.get()));
  }
  REQUIRE(session.Finish().passed);
  std::vector<trace::ConnectionEvent> opened;
  for (const trace::Event& e : session.events()) {
    const auto* c = std::get_if<trace::ConnectionEvent>(&e);
    if (c != nullptr && !c->resume.empty()) opened.push_back(*c);
  }
  REQUIRE(opened.size() == 2);
  REQUIRE(kept.size() == 2);
  CHECK(opened[0].session_offered);
  CHECK(opened[0].session_declined.empty());
  CHECK(kept[0]);
  CHECK_FALSE(opened[1].session_offered);
  CHECK(opened[1].session_declined == "no ticket was read");
  CHECK_FALSE(kept[1]);
  CHECK(trace::FormatEvent(opened[1]) ==
        "#8 L22 [again] connection again: resume=unread (session not "
        "offered: no ticket was read)");
}

TEST_CASE("a session that was not prepared runs nothing and says so",
          "[session]") {
  Parsed p;
  ParseOrFail(kScenario, &p);
  run::Session session(p.scenario, p.source);
  CHECK(session.done());
  run::Verdict v = session.Step();
  CHECK_FALSE(v.passed);
  CHECK(v.message == "the scenario was not prepared");
  CHECK_FALSE(session.Finish().passed);
}

TEST_CASE("a session records the key log only when asked to", "[session]") {
  Parsed p;
  ParseOrFail(kScenario, &p);
  for (bool record : {true, false}) {
    run::Session session(p.scenario, p.source);
    session.RecordKeyLog(record);
    scenario::Diagnostic d;
    REQUIRE(session.Prepare(&d));
    while (!session.done()) session.Step();
    REQUIRE(session.Finish().passed);
    std::string error;
    std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/keys";
    REQUIRE(session.keylog().WriteFile(path, &error));
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    // The server logs its handshake secrets first, on reading the
    // ClientHello.
    if (record) {
      CHECK(first.rfind("SERVER_HANDSHAKE_TRAFFIC_SECRET ", 0) == 0);
    } else {
      CHECK(first.empty());
    }
  }
}

// Every buffer 64 bytes: the TLS 1.3 server's tickets and the client's
// request cannot both get through (openssl#7967).
std::string TransportScenario(const std::string& steps) {
  return R"(scenario "transport"
seed 5
pki {
  ca root
  leaf server.test issuer=root
}
client {
  versions = TLSv1.3
  verify = peer
  trust = root
  send_buffer = 64
  recv_buffer = 64
  network_capacity = 64
}
server {
  cert = server.test
  send_buffer = 64
  recv_buffer = 64
  network_capacity = 64
}
)" + steps;
}

const std::string kRequest(300, 'r');

TEST_CASE("a drive in which both sides wait on WANT_WRITE says so",
          "[session][transport]") {
  Parsed p;
  ParseOrFail(TransportScenario("drive -> stalled\nclient write \"" + kRequest +
                                "\" -> -1 WANT_WRITE\ndrive -> done\n"),
              &p);
  run::Session session(p.scenario, p.source);
  session.KeepEvents(true);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  while (!session.done()) session.Step();
  run::Verdict v = session.verdict();
  REQUIRE_FALSE(v.passed);
  CHECK(v.line == 23);
  INFO(v.message);
  CHECK(v.message.rfind("drive: expected done, observed stalled: both sides "
                        "wait on WANT_WRITE and nothing can move",
                        0) == 0);
  CHECK(v.message.find("client write \"rrr") != std::string::npos);
  CHECK(v.message.find("-> -1 WANT_WRITE in \"SSL negotiation finished "
                       "successfully\": 64 bytes held in its BIO pair, 64 in "
                       "flight client->server (capacity 64), 64 delivered and "
                       "unread by the server") != std::string::npos);
  CHECK(v.message.find("server accept -> -1 WANT_WRITE in \"SSLv3/TLS write "
                       "session ticket\": 64 bytes held in its BIO pair, 64 "
                       "in flight server->client (capacity 64), 64 delivered "
                       "and unread by the client") != std::string::npos);
  // The same words end the drive in the trace and the JSON line.
  const auto& end = std::get<trace::DriveEvent>(session.events().back());
  CHECK(end.end);
  CHECK(v.message.find(end.detail) != std::string::npos);
  CHECK(trace::FormatEventJson(session.events().back())
            .find("both sides wait on WANT_WRITE") != std::string::npos);
  CHECK(session.wire().Held(Side::kClient) == 64);
  CHECK(session.wire().Unread(Side::kServer) == 64);
}

TEST_CASE("a reset: ECONNRESET for the reader, EPIPE for writers, checked",
          "[session][transport]") {
  Parsed p;
  ParseOrFail(TransportScenario(R"(drive -> stalled
client write "hi" -> 2
deliver client->server all
reset client->server
server accept -> 1 errno=EPIPE
server read 10 -> -1 SYSCALL errno=ECONNRESET
client write "again" -> -1 SYSCALL errno=EPIPE
server read 10 -> -1 SYSCALL errno=EPIPE
)"),
              &p);
  run::Session session(p.scenario, p.source);
  session.KeepEvents(true);
  std::ostringstream text;
  trace::TextObserver observer(&text);
  session.AddObserver(&observer);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  while (!session.done()) session.Step();
  run::Verdict v = session.verdict();
  REQUIRE_FALSE(v.passed);
  CHECK(v.line == 28);
  CHECK(text.str().find("wire reset client->server: ") != std::string::npos);
  CHECK(text.str().find("client write \"again\" -> -1 SYSCALL errno=EPIPE;") !=
        std::string::npos);
  // The server's first read after the reset: ECONNRESET, on every series.
  const trace::Event* first_read = nullptr;
  for (const trace::Event& e : session.events()) {
    const auto* call = std::get_if<trace::CallEvent>(&e);
    if (call != nullptr && call->call == "read 10") {
      first_read = &e;
      break;
    }
  }
  REQUIRE(first_read != nullptr);
  CHECK(std::get<trace::CallEvent>(*first_read).sys_errno == ECONNRESET);
  CHECK(trace::FormatEventJson(*first_read).find(R"("errno":"ECONNRESET")") !=
        std::string::npos);
  const auto& read = std::get<trace::CallEvent>(session.events().back());
  if (tests::SyscallErrorIsFatal()) {
    // 4.0: the reset was fatal to the server's SSL; its next read fails
    // with SSL_ERROR_SSL, not the transport's errno again.
    CHECK(v.message == "server read 10: expected SYSCALL, observed -1 SSL");
    CHECK(read.sys_errno == 0);
  } else {
    // 3.x: the SSL reads the transport again and fails as before.
    CHECK(v.message ==
          "server read 10: expected errno=EPIPE, observed -1 SYSCALL "
          "errno=ECONNRESET");
    CHECK(read.sys_errno == ECONNRESET);
    CHECK(trace::FormatEventJson(session.events().back())
              .find(R"("errno":"ECONNRESET")") != std::string::npos);
  }
}

TEST_CASE("without a transport setting the trace is as before",
          "[session][transport]") {
  Parsed p;
  std::string source = kScenario;
  source.replace(source.find("  num_tickets = 0"), 0, "  buffer = 4096\n");
  ParseOrFail(source, &p);
  std::string trace = RunnerTrace(p);
  CHECK(trace.find("held") == std::string::npos);
  CHECK(trace.find("unread") == std::string::npos);
  CHECK(trace.find("errno") == std::string::npos);
  Parsed shown;
  ParseOrFail(TransportScenario("drive -> stalled\n"), &shown);
  CHECK(RunnerTrace(shown).find("; held c>s 0 s>c 64; unread c>s 0 s>c 64") !=
        std::string::npos);
}

TEST_CASE("bytes written after a close are lost, not in flight",
          "[session][transport]") {
  Parsed p;
  std::string source = kScenario;
  source +=
      "close client->server\nclient write \"late\" -> 4\n"
      "deliver client->server all\n";
  ParseOrFail(source, &p);
  run::Session session(p.scenario, p.source);
  session.KeepEvents(true);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  while (!session.done()) session.Step();
  CHECK(session.verdict().message ==
        "deliver client->server all: the direction is closed");
  CHECK(session.wire().InFlight(Side::kClient) == 0);
  CHECK(session.wire().lost(Side::kClient) > 4);
  const trace::Event& write = session.events()[session.events().size() - 2];
  CHECK(trace::FormatEvent(write).find("; in flight c>s 0 s>c 0; lost c>s ") !=
        std::string::npos);
}

}  // namespace
}  // namespace tlsim

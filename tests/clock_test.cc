// The scenario clock OpenSSL reads (lib/tls/clock.h): time() inside a
// ClockScope, sessions and tickets on it, and runs whose bytes do not
// depend on the wall clock even when a ticket has an age. Also the run-time
// side of issue 11's language: empty lists OpenSSL refuses, long data in
// messages, `drive -> failed by`.
#include "lib/tls/clock.h"

#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <string>
#include <thread>

#include "lib/run/session.h"
#include "lib/scenario/parser.h"
#include "lib/tls/compat.h"
#include "lib/trace/text.h"
#include "tests/openssl_differences.h"

namespace tlsim {
namespace {

struct Parsed {
  std::string source;
  scenario::Scenario scenario;
};

void ParseOrFail(const std::string& source, Parsed* out) {
  out->source = source;
  scenario::Diagnostic d;
  INFO(d.Format());
  REQUIRE(scenario::Parse("c.tlsim", out->source, &out->scenario, &d));
}

std::string Repeat(const std::string& unit, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += unit;
  return out;
}

TEST_CASE("time() is the scenario clock inside a ClockScope", "[clock]") {
  const time_t wall = time(nullptr);
  {
    tls::ClockScope scope(1767225600);
    CHECK(time(nullptr) == 1767225600);
    time_t out = 0;
    time(&out);
    CHECK(out == 1767225600);
    // OpenSSL's own reads of time(NULL) see it too.
    SSL_SESSION* session = SSL_SESSION_new();
    REQUIRE(session != nullptr);
    CHECK(tls::SessionTime(session) == 1767225600);
    SSL_SESSION_free(session);
    {
      tls::ClockScope inner(1767229200);
      CHECK(time(nullptr) == 1767229200);
      CHECK(tls::ScenarioNow() == 1767229200);
    }
    CHECK(time(nullptr) == 1767225600);
  }
  CHECK_FALSE(tls::ScenarioNow().has_value());
  CHECK(time(nullptr) >= wall);  // the wall clock again
}

// A TLS 1.3 ticket offered at an age of 2 hours: the obfuscated age is on
// the wire, inside the ClientHello the binders cover.
const char kTicketAge[] = R"(scenario "ticket age"
seed 3
pki {
  ca root
  leaf server.test issuer=root
}
client {
  verify = peer
  trust = root
}
server {
  cert = server.test
}
drive -> done
deliver server->client all
client read 10 -> -1 WANT_READ
clock advance 2h
connection second resume=main
client connect -> -1 WANT_READ
drive -> done
expect client session_reused = yes
)";

// Runs kTicketAge, waiting `pause` of wall time before the step at
// `pause_before` (0: none); returns the footer's digests as text.
std::string Digests(std::chrono::milliseconds pause, size_t pause_before) {
  Parsed p;
  ParseOrFail(kTicketAge, &p);
  run::Session session(p.scenario, p.source);
  scenario::Diagnostic bad;
  REQUIRE(session.Prepare(&bad));
  while (!session.done()) {
    if (session.next_step() == pause_before) {
      std::this_thread::sleep_for(pause);
    }
    session.Step();
  }
  run::Verdict v = session.Finish();
  INFO(v.message);
  REQUIRE(v.passed);
  std::string out;
  for (const trace::WireDigest& d : session.footer().digests) {
    out += d.connection + " " + d.sha256[0] + " " + d.sha256[1] + "\n";
  }
  return out;
}

TEST_CASE("a ticket's age on the wire follows the scenario clock only",
          "[clock]") {
  // 1.2 s of wall time between reading the ticket and offering it, at
  // either step: the same ClientHello bytes as without the pause. Before
  // the scenario clock, the client's age came from the wall clock.
  const std::string plain = Digests(std::chrono::milliseconds(0), 0);
  CHECK(Digests(std::chrono::milliseconds(1200), 3) == plain);  // clock step
  CHECK(Digests(std::chrono::milliseconds(1200), 5) == plain);  // connect
}

TEST_CASE("empty lists OpenSSL refuses are reported at the value",
          "[settings]") {
  for (const char* key : {"ciphers", "groups", "sigalgs"}) {
    INFO(key);
    Parsed p;
    ParseOrFail(std::string("client {\n  ") + key + " = \"\"\n}\n", &p);
    run::Session session(p.scenario, p.source);
    scenario::Diagnostic bad;
    if (std::string(key) == "groups" && !tests::EmptyGroupListRefused()) {
      CHECK(session.Prepare(&bad));  // 3.5 and later take "" as no groups
      continue;
    }
    CHECK_FALSE(session.Prepare(&bad));
    CHECK(bad.line == 2);
    CHECK(bad.col == static_cast<int>(std::string(key).size()) + 6);
    CHECK(bad.message.find(std::string("client ") + key +
                           ": OpenSSL refused ''") == 0);
  }
}

TEST_CASE("long data is shortened in failure messages", "[data]") {
  Parsed p;
  ParseOrFail(R"(scenario "long"
seed 1
pki {
  ca root
  leaf server.test issuer=root
}
client {
  trust = root
  buffer = 65536
}
server {
  cert = server.test
  buffer = 65536
}
drive -> done
client write "ab" * 4096 -> 8192
deliver client->server all
server read 16384 -> 8192 data="ab" * 4095
)",
              &p);
  run::Session session(p.scenario, p.source);
  scenario::Diagnostic bad;
  REQUIRE(session.Prepare(&bad));
  while (!session.done()) session.Step();
  run::Verdict v = session.Finish();
  CHECK_FALSE(v.passed);
  CHECK(v.message == "server read 16384: expected data " +
                         trace::DataText(Repeat("ab", 4095)) + ", observed " +
                         trace::DataText(Repeat("ab", 4096)));
  CHECK(v.message.find("(8190 bytes, sha256 ") != std::string::npos);
  CHECK(v.message.find("(8192 bytes, sha256 ") != std::string::npos);
  CHECK(v.message.size() < 400);
}

TEST_CASE("drive -> failed by checks the side that failed first", "[drive]") {
  Parsed p;
  ParseOrFail(R"(scenario "by"
seed 1
pki {
  ca root
  leaf server.test issuer=root
}
client {
  versions = TLSv1.3
}
server {
  cert = server.test
  ciphersuites = ""
}
drive -> failed by client
)",
              &p);
  run::Session session(p.scenario, p.source);
  scenario::Diagnostic bad;
  REQUIRE(session.Prepare(&bad));
  while (!session.done()) session.Step();
  run::Verdict v = session.Finish();
  CHECK_FALSE(v.passed);
  CHECK(v.message.find("drive: expected failed by client, observed failed "
                       "by server: ") == 0);
}

}  // namespace
}  // namespace tlsim

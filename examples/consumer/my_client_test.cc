// A test of the consuming workspace linking @tlsim//lib/run: a scenario run
// a step at a time through run::Session.
#include <catch2/catch.hpp>
#include <string>

#include "lib/run/session.h"
#include "lib/scenario/parser.h"

namespace {

const char kScenario[] = R"(scenario "consumer: a handshake from C++"
seed 1
pki {
  ca root
  leaf server.test issuer=root key=ec-p256
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
drive -> done
)";

TEST_CASE("a scenario runs from another workspace") {
  using namespace tlsim;
  std::string source = kScenario;
  scenario::Scenario parsed;
  scenario::Diagnostic error;
  REQUIRE(scenario::Parse("consumer.tlsim", source, &parsed, &error));
  run::Session session(parsed, source);
  REQUIRE(session.Prepare(&error));
  while (!session.done()) REQUIRE(session.Step().passed);
  CHECK(std::string(SSL_get_version(session.ssl(wire::Side::kClient))) ==
        "TLSv1.3");
  CHECK(session.Finish().passed);
}

}  // namespace

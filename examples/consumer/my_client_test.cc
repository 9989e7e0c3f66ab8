// A test of the consuming workspace linking @tlsim//lib/run: its own client
// code in the client's seat, against the server program of hello.tlsim's
// kind, over tlsim's wire.
#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <string>

#include "lib/run/application.h"
#include "lib/run/session.h"
#include "lib/scenario/parser.h"

namespace {

using tlsim::run::Readiness;
using tlsim::run::Wait;

// Connects, sends "ping\n", reads until "\n".
class PingClient : public tlsim::run::Application {
 public:
  Wait Step(SSL* ssl, Readiness) override {
    int r;
    if (!connected_) {
      if ((r = SSL_connect(ssl)) != 1) return Retry(ssl, r);
      connected_ = true;
    }
    if (!sent_) {
      if ((r = SSL_write(ssl, "ping\n", 5)) <= 0) return Retry(ssl, r);
      sent_ = true;
    }
    char buf[256];
    while (read_.find('\n') == std::string::npos) {
      if ((r = SSL_read(ssl, buf, sizeof buf)) <= 0) return Retry(ssl, r);
      read_.append(buf, r);
    }
    return Wait::kFinished;
  }
  const std::string& read() const { return read_; }

 private:
  static Wait Retry(SSL* ssl, int r) {
    switch (SSL_get_error(ssl, r)) {
      case SSL_ERROR_WANT_READ:
        return Wait::kReadable;
      case SSL_ERROR_WANT_WRITE:
        return Wait::kWritable;
      default:
        return Wait::kFailed;
    }
  }
  bool connected_ = false;
  bool sent_ = false;
  std::string read_;
};

const char kScenario[] =
    R"(scenario "consumer: my client against a server program"
seed 1
pki {
  ca root
  leaf server.test issuer=root key=ec-p256
}
client {
  verify = peer
  trust = root
  server_name = server.test
}
server {
  cert = server.test
}
program server {
  accept
  read until "\n"
  write "pong\n"
}
run -> done
expect server read = "ping\n"
)";

TEST_CASE("my client in the client's seat") {
  using namespace tlsim;
  const std::string source = kScenario;
  scenario::Scenario parsed;
  scenario::Diagnostic error;
  REQUIRE(scenario::Parse("consumer.tlsim", source, &parsed, &error));
  PingClient client;
  run::Session session(parsed, source);
  session.SetApplication(wire::Side::kClient, &client);
  REQUIRE(session.Prepare(&error));
  while (!session.done()) REQUIRE(session.Step().passed);
  CHECK(client.read() == "pong\n");
  CHECK(session.program_read(wire::Side::kServer) == "ping\n");
  CHECK(session.Finish().passed);
}

}  // namespace

// Scenario text the tests share: a seeded, verified client and server, and
// an HTTP-like exchange between them (the client connects, sends a request
// and reads the response; the server accepts, reads the request and
// answers), ending with a plain `run`.
//
//   std::string text = std::string("scenario \"t\"\n") + tests::kVerifiedPair;
//   std::string http = tests::kHttpExchange;
//   scenario::Parse("http.tlsim", text, &scenario, &diagnostic);
#pragma once

#include <string>

namespace tlsim::tests {

// A seeded client and server with default settings, the client verifying
// the server's certificate: a scenario's settings without its title,
// programs or steps.
inline constexpr const char* kVerifiedPair = R"(seed 1
pki {
  ca   root
  leaf server.test issuer=root
}
client {
  verify = peer
  trust  = root
}
server {
  cert = server.test
}
)";

// The exchange, a whole scenario.
inline const std::string kHttpExchange =
    std::string("# An HTTP-like exchange.\nscenario \"http exchange\"\n") +
    kVerifiedPair + R"(program client {
  connect
  write "GET / HTTP/1.1\r\n\r\n"
  read until "\r\n\r\n"
}
program server {
  accept
  read until "\r\n\r\n"
  write "HTTP/1.1 200 OK\r\n\r\n"
}
run
)";

}  // namespace tlsim::tests

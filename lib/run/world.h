// Everything one run owns: its own OpenSSL library context, the PKI made for
// it, and the client and server endpoints joined by the wire. Building a
// World checks every setting against OpenSSL before any step runs.
//
//   run::World world;
//   scenario::Diagnostic error;
//   if (!run::BuildWorld(scenario, source, &world, &error)) ...
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/tls/endpoint_config.h"
#include "lib/tls/handles.h"
#include "lib/tls/pki.h"
#include "lib/trace/event.h"
#include "lib/wire/link.h"
#include "lib/wire/wire.h"

namespace tlsim::run {

// The scenario clock when a file sets none: runs never read the wall clock.
inline constexpr int64_t kDefaultClock = 1767225600;  // 2026-01-01T00:00:00Z

// What the message callback saw during one SSL call.
struct CallLog {
  std::vector<std::string> sent;
  std::vector<std::string> received;
  std::vector<trace::Alert> alerts_sent;
  std::vector<trace::Alert> alerts_received;

  void Clear() { *this = CallLog(); }
};

struct Endpoint {
  wire::Side side = wire::Side::kClient;
  tls::EndpointConfig config;
  tls::SslCtxPtr ctx;
  tls::SslPtr ssl;
  std::unique_ptr<wire::Link> link;
  std::unique_ptr<CallLog> log;  // stable address for the callback
  // The handshake function `drive` calls: the one the last handshake step
  // used (set_*_state counts as do_handshake); by default SSL_connect for
  // the client and SSL_accept for the server.
  scenario::Call handshake_call = scenario::Call::kConnect;
};

struct World {
  tls::LibCtxPtr libctx;
  tls::Pki pki;
  int64_t clock = kDefaultClock;
  std::array<Endpoint, 2> endpoints;  // indexed by wire::Side
  std::unique_ptr<wire::Wire> wire;

  Endpoint& endpoint(wire::Side side) {
    return endpoints[static_cast<size_t>(side)];
  }
};

// Builds the World for `scenario`, whose text is `source` (for messages).
// Returns false with a Diagnostic pointing at the setting or certificate
// that OpenSSL refused.
[[nodiscard]] bool BuildWorld(const scenario::Scenario& scenario,
                              std::string_view source, World* out,
                              scenario::Diagnostic* out_error);

}  // namespace tlsim::run

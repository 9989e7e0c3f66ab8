// Everything one run owns: its own OpenSSL library context, the PKI made for
// it, the client's and the server's SSL_CTX, and the connections between
// them, each a pair of SSLs joined by its own wire. Building a World checks
// every setting against OpenSSL before any step runs.
//
//   run::World world;
//   scenario::Diagnostic error;
//   if (!run::BuildWorld(scenario, source, &world, &error)) ...
//   run::Connection& c = world.current();
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/run/tape.h"
#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/tls/endpoint_config.h"
#include "lib/tls/handles.h"
#include "lib/tls/pki.h"
#include "lib/trace/event.h"
#include "lib/trace/keylog.h"
#include "lib/wire/link.h"
#include "lib/wire/wire.h"

namespace tlsim::run {

// The scenario clock when a file sets none: runs never read the wall clock.
inline constexpr int64_t kDefaultClock = scenario::kDefaultClock;

// What the message callback saw during one SSL call.
struct CallLog {
  std::vector<trace::Message> sent;
  std::vector<trace::Message> received;
  std::vector<trace::Alert> alerts_sent;
  std::vector<trace::Alert> alerts_received;
  int tickets_received = 0;  // NewSessionTickets, over the connection's life
  // Server: the host name in the server_name extension of the last
  // ClientHello read, "" for none (whatever OpenSSL then makes of it).
  std::string sni_received;

  // Forgets one call's messages; the ticket count stays.
  void Clear() {
    sent.clear();
    received.clear();
    alerts_sent.clear();
    alerts_received.clear();
  }
};

// One side of one connection.
struct Endpoint {
  wire::Side side = wire::Side::kClient;
  tls::SslPtr ssl;
  std::unique_ptr<wire::Link> link;
  std::unique_ptr<CallLog> log;  // stable address for the callback
  // The handshake function `drive` calls: the one the last handshake step
  // used (set_*_state counts as do_handshake); by default SSL_connect for
  // the client and SSL_accept for the server.
  scenario::Call handshake_call = scenario::Call::kConnect;
  // The buffer writes come from. A write of the same text as the last one
  // passes the same buffer again, as a program retrying a write does; other
  // text comes from a new buffer at another address (which OpenSSL refuses
  // as a "bad write retry" after WANT_WRITE unless the write buffer may
  // move).
  std::unique_ptr<std::string> write_buffer;
  // A write step that returned WANT_WRITE or WANT_READ and has not been
  // completed since: a `drive` retries it, as a program waiting to write
  // does, before it calls the handshake function again.
  std::optional<scenario::CallStep> pending_write;

  // The buffer holding `text`: the last one when it already does, unless
  // `moved` asks for a new one.
  const std::string& WriteBuffer(const std::string& text, bool moved) {
    if (moved || !write_buffer || *write_buffer != text) {
      auto fresh = std::make_unique<std::string>(text);
      write_buffer.swap(fresh);  // the old one is freed after: a new address
    }
    return *write_buffer;
  }
};

// Where one side's program (or application) stands on a connection: the
// state the `run` step's event loop keeps between runs.
struct ProgramProgress {
  enum class Status { kRunning, kDone, kFailed };
  Status status = Status::kRunning;
  size_t operation = 0;      // index of the operation under way
  int phase = 0;             // within it: 1 once a two-call operation's first
                             // call (SSL_key_update, ...) returned
  size_t done_bytes = 0;     // of the operation: bytes written so far
  std::string read;          // every byte the program read, in order
  size_t consumed = 0;       // of `read`: what finished read operations took
  unsigned wait = 0;         // what it waits for (program.h's kWait* bits)
  bool peer_closed = false;  // a full-duplex read met the peer's close
  bool started = false;      // the program has run on this connection
  // A write the read_while_write_owed policy left owed, and what its last
  // call waits for (program.h's kWait* bits; writable when it became owed).
  std::optional<scenario::CallStep> owed_write;
  unsigned owed_wait = 0;
  // Its last call, for verdicts: the call's text, ret, error, state.
  std::string last_call;
  int last_ret = 0;
  int last_error = 0;
  std::string last_state;
  std::string failure;  // why it failed
};

struct Connection {
  std::string name;
  std::array<ProgramProgress, 2> programs;  // indexed by wire::Side
  bool session_offered = false;  // the client was given a session to resume
  std::array<Endpoint, 2> endpoints;  // indexed by wire::Side
  std::unique_ptr<wire::Wire> wire;

  Endpoint& endpoint(wire::Side side) {
    return endpoints[static_cast<size_t>(side)];
  }
};

struct World {
  tls::LibCtxPtr libctx;
  tls::Pki pki;
  int64_t clock = kDefaultClock;
  std::array<tls::EndpointConfig, 2> configs;  // indexed by wire::Side
  std::array<tls::SslCtxPtr, 2> contexts;
  std::array<size_t, 2> buffer_sizes = {0, 0};  // send buffers; 0: default
  // The transport, indexed by wire::Side like the rest.
  std::array<size_t, 2> recv_buffer_sizes = {0, 0};  // 0: OpenSSL's default
  std::array<size_t, 2> capacities = {SIZE_MAX, SIZE_MAX};  // in flight
  // The links get socket BIOs (a scenario that resets a direction, or a
  // caller that asks before BuildWorld).
  bool socket_bios = false;
  // The trace shows bytes held, in flight and unread each way (a scenario
  // that sets a transport setting beyond `buffer`).
  bool show_transport = false;
  std::vector<tls::SslCtxPtr> server_contexts;  // `server context` blocks
  std::vector<std::unique_ptr<Connection>> connections;  // "main" first
  // Sides taped or played back (tape.h); Caller::Make does both.
  TapeDeck tapes;
  trace::KeyLog keylog;       // NSS key log lines of both sides, in order
  bool record_keylog = true;  // set before BuildWorld: fill `keylog`

  Connection& current() { return *connections.back(); }
  // nullptr when no connection has that name.
  Connection* Find(const std::string& name);
};

// Builds the World for `scenario`, whose text is `source` (for messages),
// with its first connection, "main". The scenario is one resolved for a
// series (no `if` blocks: scenario::ForSeries; Session does it). With a seed,
// every random value of the run comes from it. Returns false with a Diagnostic
// pointing at the setting or certificate that OpenSSL refused. `out` must not
// move afterwards: the key log callbacks point into it.
[[nodiscard]] bool BuildWorld(const scenario::Scenario& scenario,
                              std::string_view source, World* out,
                              scenario::Diagnostic* out_error);

// Changes the setting of `step` on its side of the current connection.
// Returns false with a message when OpenSSL refuses it.
[[nodiscard]] bool ApplySetting(World* world, const scenario::SetStep& step,
                                std::string* out_error);

// Opens another connection between the world's two contexts and makes it
// the current one. Returns false with a message on failure.
[[nodiscard]] bool OpenConnection(World* world, const std::string& name,
                                  std::string* out_error);

}  // namespace tlsim::run

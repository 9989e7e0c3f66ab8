// What happened at each step of a run, as data. A run::Session emits Events;
// observers turn them into text, JSON lines or a capture. Events hold
// numbers, static strings and short copies only: formatting them is the
// observers' work, done only when something prints or compares them.
//
//   class Printer : public trace::Observer {
//     void OnEvent(const trace::Event& e) override { ... }
//   };
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "lib/wire/wire.h"

namespace tlsim::trace {

// Bytes in flight each way after a step: [client->server, server->client].
using InFlight = std::array<size_t, 2>;

// The rest of the transport each way after a step, [client->server,
// server->client]: bytes held in the sender's BIO pair (not yet taken by
// the network) and delivered but not yet read by the receiver. Filled in
// and printed only for a scenario that sets a transport setting
// (send_buffer, recv_buffer, network_capacity): `shown`.
struct Transport {
  bool shown = false;
  std::array<size_t, 2> held{};
  std::array<size_t, 2> unread{};
};

// Identifies a step: its number in the file's step list, a sub-number for
// the calls and deliveries an automatic `drive` makes (0 otherwise), and the
// source line.
struct StepId {
  int number = 0;
  int sub = 0;
  int line = 0;
  // The connection the step acted on; empty in a scenario that never opens
  // a second one.
  std::string connection;
};

// An alert seen through the message callback.
struct Alert {
  int level = 0;
  int description = 0;
};

// A message the message callback saw, as a small number: a handshake type
// (0..255, "ClientHello" is 1), or one of the codes below. MessageName
// gives its name.
using Message = int16_t;
inline constexpr Message kHelloRetryRequest = 256;  // a ServerHello that is one
inline constexpr Message kChangeCipherSpec = 257;
inline constexpr Message kEmptyHandshake = 258;  // "handshake(empty)"

// "ClientHello", "HelloRetryRequest", "ChangeCipherSpec", "handshake(99)".
std::string MessageName(Message message);
// The same name without building a string, for the observers: nullptr for
// a handshake type with no name (MessageName writes "handshake(99)").
const char* KnownMessageName(Message message);
// The names of `messages`, in order.
std::vector<std::string> MessageNames(const std::vector<Message>& messages);

// An SSL call and what it returned. Kept as numbers and static strings so
// that a run whose trace nobody reads formats nothing.
struct CallEvent {
  StepId id;
  wire::Side side = wire::Side::kClient;
  std::string call;     // as written: "connect", "read 100", "write \"hi\""
  bool returns = true;  // false for the void set_*_state calls
  int ret = 0;
  int error = 0;  // SSL_get_error's value (SSL_ERROR_WANT_READ); 0 when none
  // The first error code on OpenSSL's queue after the call; 0 when none.
  unsigned long reason = 0;
  // SSL_state_string_long after the call. OpenSSL returns static strings;
  // the observers cache each one's formatted form by its address, so this
  // must live as long as the program (OpenSSL's, or a literal).
  const char* state = "";
  // Handshake messages (and ChangeCipherSpec) the call wrote and read, in
  // order, as the message callback saw them in plaintext.
  std::vector<Message> sent;
  std::vector<Message> received;
  std::vector<Alert> alerts_sent;
  std::vector<Alert> alerts_received;
  std::string data;        // what a read returned
  long verify_result = 0;  // SSL_get_verify_result after the call
  InFlight in_flight{};
  // The errno of a read or write the transport failed during the call
  // (ECONNRESET, EPIPE); 0 when none did.
  int sys_errno = 0;
  // Bytes the call wrote into a direction already closed or reset, each
  // way: taken from the BIO pair and lost, never in flight.
  std::array<size_t, 2> lost{};
  Transport transport;
  // What a program does next, for a call a `run` loop made ("waits for
  // readable"); empty elsewhere.
  std::string note;
  // The program's operation the call belongs to (`read until "\r\n"`), for
  // a call a `run` loop made; empty elsewhere. Not printed: the explorer's
  // coverage reads it.
  std::string operation;

  // SSL_get_error's name: "WANT_READ"; empty for a call that returns nothing.
  std::string error_name() const;
  // The reason's text: "no shared cipher" (strerror for a system error);
  // empty when there is none.
  std::string reason_text() const;
  // "X509_V_OK", "X509_V_ERR_HOSTNAME_MISMATCH", ...
  std::string verify_result_name() const;
};

// A wire step: bytes moved from one side's queue to the other's buffer.
struct DeliveryEvent {
  StepId id;
  wire::Side from = wire::Side::kClient;
  std::string amount;  // as asked: "all", "record", "10"
  wire::Delivery delivery;
  InFlight in_flight{};
  Transport transport;
  // The step was written `-> fails`: a failure lets the run go on.
  bool expect_fails = false;
};

// A direction closed: the receiver will read EOF. Or reset (`reset`): the
// receiver's reads fail with ECONNRESET.
struct CloseEvent {
  StepId id;
  wire::Side from = wire::Side::kClient;
  size_t dropped = 0;  // in flight (and, for a reset, held by the sender)
  InFlight in_flight{};
  bool reset = false;
  size_t discarded = 0;  // a reset: delivered but unread, thrown away
  Transport transport;
};

// The start or the end of an automatic drive.
struct DriveEvent {
  StepId id;
  std::string text;  // "deliver=all first=client limit=1000"
  bool end = false;
  std::string result;  // at the end: "done", "stalled", "failed"
  std::string detail;  // at the end: rounds, each side's state
  // "drive", or "run" for the loop that runs programs.
  const char* kind = "drive";
};

// An expectation checked on its own line.
struct ExpectEvent {
  StepId id;
  std::string what;      // "client version = TLSv1.3"
  std::string observed;  // "TLSv1.3"
  bool ok = true;
};

// A fault applied to the bytes in flight one way.
struct FaultEvent {
  StepId id;
  wire::Side from = wire::Side::kClient;
  std::string fault;  // as written: "drop server->client record Certificate"
  bool ok = true;
  std::string result;  // what it did, or why it could not
  InFlight in_flight{};
  Transport transport;
  // The step was written `-> fails`: a failure lets the run go on.
  bool expect_fails = false;
};

// A new connection between the same client and server settings.
struct ConnectionEvent {
  StepId id;           // id.connection is the new connection's name
  std::string resume;  // the connection whose session the client offers
  // The client's ClientHello will offer that session.
  bool session_offered = false;
  // Why it will not, when the client had a session but OpenSSL declines to
  // offer it ("no ticket was read"); empty otherwise.
  std::string session_declined{};
};

// The scenario clock moved (`clock advance 2h`, `clock set ...`).
struct ClockEvent {
  StepId id;
  std::string text;  // as written: "clock advance 2h"
  std::string now;   // the time now: "2026-01-01T02:00:00Z"
};

// One setting changed on one side of the current connection (`set`).
struct SettingEvent {
  StepId id;
  wire::Side side = wire::Side::kClient;
  std::string setting;  // as written: "alpn = h2"
  bool ok = true;
  std::string result;  // why OpenSSL refused it
};

using Event =
    std::variant<CallEvent, DeliveryEvent, CloseEvent, DriveEvent, ExpectEvent,
                 FaultEvent, ConnectionEvent, ClockEvent, SettingEvent>;

// Run-level facts printed once, before the first event.
struct Header {
  std::string file;
  std::string title;
  std::string openssl_version;  // OpenSSL_version(OPENSSL_VERSION)
};

// What one connection's two sides wrote over the whole run: byte counts and
// SHA-256 digests, [client->server, server->client].
struct WireDigest {
  std::string connection;
  std::array<uint64_t, 2> bytes{};
  std::array<std::string, 2> sha256;
};

// The end of a run: the bytes each way, and the verdict in one line.
struct Footer {
  bool passed = true;
  std::string message;              // empty when passed
  std::vector<WireDigest> digests;  // one per connection, in order
  // Why no step ran: the scenario does not apply to the series here
  // ("requires openssl >= 3.5; this is OpenSSL 3.0"); empty when it ran.
  std::string not_applicable;
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void OnHeader(const Header& header) = 0;
  virtual void OnEvent(const Event& event) = 0;
  virtual void OnFooter(const Footer& footer) = 0;
};

}  // namespace tlsim::trace

// What happened at each step of a run, as data. The runner emits Events;
// observers turn them into text (and later JSON lines, pcap, key logs).
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

// An SSL call and what it returned.
struct CallEvent {
  StepId id;
  wire::Side side = wire::Side::kClient;
  std::string call;     // as written: "connect", "read 100", "write \"hi\""
  bool returns = true;  // false for the void set_*_state calls
  int ret = 0;
  std::string error;   // SSL_get_error name: "WANT_READ"
  std::string reason;  // first OpenSSL error reason; empty when none
  std::string state;   // SSL_state_string_long after the call
  // Handshake messages (and ChangeCipherSpec) the call wrote and read,
  // by name, in order, as the message callback saw them in plaintext.
  std::vector<std::string> sent;
  std::vector<std::string> received;
  std::vector<Alert> alerts_sent;
  std::vector<Alert> alerts_received;
  std::string data;           // what a read returned
  std::string verify_result;  // SSL_get_verify_result's name after the call
  InFlight in_flight{};
};

// A wire step: bytes moved from one side's queue to the other's buffer.
struct DeliveryEvent {
  StepId id;
  wire::Side from = wire::Side::kClient;
  std::string amount;  // as asked: "all", "record", "10"
  wire::Delivery delivery;
  InFlight in_flight{};
};

// A direction closed: the receiver will read EOF.
struct CloseEvent {
  StepId id;
  wire::Side from = wire::Side::kClient;
  size_t dropped = 0;
  InFlight in_flight{};
};

// The start or the end of an automatic drive.
struct DriveEvent {
  StepId id;
  std::string text;  // "deliver=all first=client limit=1000"
  bool end = false;
  std::string result;  // at the end: "done", "stalled", "failed"
  std::string detail;  // at the end: rounds, each side's state
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
};

// A new connection between the same client and server settings.
struct ConnectionEvent {
  StepId id;           // id.connection is the new connection's name
  std::string resume;  // the connection whose session the client offers
  bool session_offered = false;  // the client had a session to offer
};

using Event = std::variant<CallEvent, DeliveryEvent, CloseEvent, DriveEvent,
                           ExpectEvent, FaultEvent, ConnectionEvent>;

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
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void OnHeader(const Header& header) = 0;
  virtual void OnEvent(const Event& event) = 0;
  virtual void OnFooter(const Footer& footer) = 0;
};

}  // namespace tlsim::trace

// Words of the language that name enum values, each written once: the
// parser reads a value from its row and the printer writes the same row.
// (Endpoint settings have theirs in settings.h, the protocol's names are
// lib/proto's.)
//
//   std::optional<KeyType> key = ValueOf(kKeyTypes, "ed25519");
//   const char* word = NameOf(kDriveResults, DriveResult::kStalled);
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lib/scenario/ast.h"
#include "lib/scenario/settings.h"

namespace tlsim::scenario {

// pki { leaf NAME key=K }
inline constexpr Named<KeyType> kKeyTypes[] = {
    {"ec-p256", KeyType::kEcP256},
    {"ed25519", KeyType::kEd25519},
    {"rsa-2048", KeyType::kRsa2048},
    {"rsa-3072", KeyType::kRsa3072},
    {"rsa-4096", KeyType::kRsa4096},
    {"rsa-pss", KeyType::kRsaPss},
    {"rsa-pss-sha256", KeyType::kRsaPssSha256},
    {"ed448", KeyType::kEd448},
    {"ec-p384", KeyType::kEcP384},
    {"ec-p521", KeyType::kEcP521},
    {"ec-brainpoolP256r1", KeyType::kBrainpoolP256r1},
    {"ec-brainpoolP384r1", KeyType::kBrainpoolP384r1},
    {"ec-brainpoolP512r1", KeyType::kBrainpoolP512r1},
    {"dsa-2048", KeyType::kDsa2048},
};

// drive ... -> RESULT
inline constexpr Named<DriveResult> kDriveResults[] = {
    {"done", DriveResult::kDone},
    {"stalled", DriveResult::kStalled},
    {"failed", DriveResult::kFailed},
};

// The properties `expect client|server PROPERTY = VALUE` checks; in_flight
// has a form of its own (`expect in_flight DIR = N`).
struct PropertyRow {
  const char* name;
  Property property;
  const char* expected;  // what the value should be, for messages
};
inline constexpr PropertyRow kProperties[] = {
    {"version", Property::kVersion, "a version"},
    {"cipher", Property::kCipher, "a cipher name"},
    {"group", Property::kGroup, "a group name"},
    {"alpn", Property::kAlpn, "a protocol name"},
    {"server_name", Property::kServerName, "a host name"},
    {"verify_result", Property::kVerifyResult,
     "a verify result like X509_V_OK"},
    {"session_reused", Property::kSessionReused, "yes or no"},
    {"handshake_done", Property::kHandshakeDone, "yes or no"},
    {"tickets", Property::kTickets, "a non-negative integer"},
    {"early_data", Property::kEarlyData, "not_sent, rejected or accepted"},
    {"resumption", Property::kResumption, "none, session_id, ticket or psk"},
    {"ticket", Property::kTicket, "yes or no"},
    {"ticket_lifetime", Property::kTicketLifetime,
     "a lifetime in seconds, or none"},
    {"sni_received", Property::kSniReceived, "a host name, or none"},
    {"peer_cert_type", Property::kPeerCertType,
     "a key type like RSA, P-256 or Ed25519"},
    {"peer_sig_type", Property::kPeerSigType,
     "a signature type like RSA-PSS or ECDSA"},
    {"peer_sig_hash", Property::kPeerSigHash, "a hash like SHA256"},
    {"peer_tmp_key", Property::kPeerTmpKey, "a key type like X25519 or P-256"},
    {"ca_names", Property::kCaNames, "certificate names or none"},
    {"read", Property::kProgramRead, "a string (what the program read)"},
    {"program", Property::kProgram, "done, failed, waiting or none"},
};

// The name of `value` in `names`; "?" when it has none.
template <typename E, size_t N>
const char* NameOf(const Named<E> (&names)[N], E value) {
  for (const Named<E>& named : names) {
    if (named.value == value) return named.name;
  }
  return "?";
}

// The value named `name`, or nullopt.
template <typename E, size_t N>
std::optional<E> ValueOf(const Named<E> (&names)[N], std::string_view name) {
  for (const Named<E>& named : names) {
    if (name == named.name) return named.value;
  }
  return std::nullopt;
}

// "a, b or c", for messages.
template <typename E, size_t N>
std::string Alternatives(const Named<E> (&names)[N]) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) out += i + 1 == N ? " or " : ", ";
    out += names[i].name;
  }
  return out;
}

}  // namespace tlsim::scenario

namespace tlsim::scenario {

// program SIDE policy=NAME { ... }, and an operation's own policy=NAME.
inline constexpr Named<Policy> kPolicies[] = {
    {"correct", Policy::kCorrect},
    {"read_waits_readable", Policy::kReadWaitsReadable},
    {"want_write_fatal", Policy::kWantWriteFatal},
    {"full_duplex", Policy::kFullDuplex},
    {"read_while_write_owed", Policy::kReadWhileWriteOwed},
    {"busy", Policy::kBusy},
    {"write_waits_writable", Policy::kWriteWaitsWritable},
};

// run ... -> VERDICT
inline constexpr Named<RunVerdict> kRunVerdicts[] = {
    {"done", RunVerdict::kDone},
    {"failed", RunVerdict::kFailed},
    {"deadlock", RunVerdict::kDeadlock},
    {"spinning", RunVerdict::kSpinning},
    {"unfinished", RunVerdict::kUnfinished},
};

// The operations of a program, by the word that starts their line. The
// handshake has three words (one per call); `side` is the only side that
// may make the operation, unset for either.
struct OperationRow {
  const char* name;
  Operation::Kind kind;
  Call call;                 // kHandshake: the call it repeats
  std::optional<Side> side;  // unset: either side
  const char* why;           // for a side that may not: what it is for
};
inline constexpr OperationRow kOperations[] = {
    {"connect", Operation::Kind::kHandshake, Call::kConnect, Side::kClient,
     "SSL_connect starts a client's handshake; a server uses accept or "
     "do_handshake"},
    {"accept", Operation::Kind::kHandshake, Call::kAccept, Side::kServer,
     "SSL_accept starts a server's handshake; a client uses connect or "
     "do_handshake"},
    {"do_handshake", Operation::Kind::kHandshake, Call::kDoHandshake,
     std::nullopt, ""},
    {"write", Operation::Kind::kWrite, Call::kConnect, std::nullopt, ""},
    {"read", Operation::Kind::kRead, Call::kConnect, std::nullopt, ""},
    {"shutdown", Operation::Kind::kShutdown, Call::kConnect, std::nullopt, ""},
    {"key_update", Operation::Kind::kKeyUpdate, Call::kConnect, std::nullopt,
     ""},
    {"renegotiate", Operation::Kind::kRenegotiate, Call::kConnect, std::nullopt,
     ""},
    {"verify_client_post_handshake",
     Operation::Kind::kVerifyClientPostHandshake, Call::kConnect, Side::kServer,
     "only a server asks its client for a certificate"},
    {"write_early", Operation::Kind::kWriteEarly, Call::kConnect, Side::kClient,
     "only a client sends early data"},
    {"read_early", Operation::Kind::kReadEarly, Call::kConnect, Side::kServer,
     "only a server reads early data"},
    {"wait", Operation::Kind::kWaitPeer, Call::kConnect, std::nullopt, ""},
};

// The word that starts `op`'s line: "connect", "write", "wait".
inline const char* OperationName(const Operation& op) {
  for (const OperationRow& row : kOperations) {
    if (row.kind == op.kind &&
        (op.kind != Operation::Kind::kHandshake || row.call == op.call)) {
      return row.name;
    }
  }
  return "?";
}

}  // namespace tlsim::scenario

// The typed form of a scenario file: what the parser produces, what the
// printer writes back, and what the runner executes.
//
//   scenario::Scenario s;
//   scenario::Diagnostic d;
//   if (!scenario::ParseFile("a.tlsim", &s, &d)) std::cerr << d.Format();
//   for (const scenario::Step& step : s.steps) std::visit(..., step);
//
// This layer knows TLS only by name: it depends on no OpenSSL header and on
// nothing else of tlsim's but the protocol's names (lib/proto).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lib/proto/keys.h"
#include "lib/proto/names.h"
#include "lib/proto/openssl_series.h"

namespace tlsim::scenario {

// A place in the source, 1-based. Positions never take part in equality: two
// scenarios are the same when they say the same thing, wherever they say it.
struct Pos {
  int line = 0;
  int col = 0;
  friend bool operator==(const Pos&, const Pos&) { return true; }
};

template <typename T>
struct Located {
  T value{};
  Pos pos;
  bool operator==(const Located&) const = default;
};

using Side = proto::Side;
using KeyType = proto::KeyType;
// Values are the wire's (proto::Versions()).
enum class Version {
  kTls1_0 = 0x0301,
  kTls1_1 = 0x0302,
  kTls1_2 = 0x0303,
  kTls1_3 = 0x0304,
};
// none: no verification. peer: verify the peer's certificate if it sends
// one (a server then asks for one). require: as peer, and fail when the peer
// sends none (SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
enum class VerifyMode { kNone, kPeer, kRequire };

// SSL_get_error values, spelled without the SSL_ERROR_ prefix in files;
// values are OpenSSL's (proto::SslErrors()).
enum class SslError {
  kNone = 0,
  kSsl,
  kWantRead,
  kWantWrite,
  kWantX509Lookup,
  kSyscall,
  kZeroReturn,
  kWantConnect,
  kWantAccept,
  kWantAsync,
  kWantAsyncJob,
  kWantClientHelloCb,
  kWantRetryVerify,
};

enum class AlertLevel { kWarning = 1, kFatal = 2 };

// One certificate of the in-process PKI. A CA without issuer is a self-signed
// root; with an issuer it is an intermediate. Leaves always have an issuer.
struct CertDecl {
  Pos pos;
  bool is_ca = false;
  std::string name;
  std::optional<Located<std::string>> issuer;
  KeyType key = KeyType::kEcP256;
  // DNS subjectAltNames; empty means "the certificate's name".
  std::vector<std::string> dns;
  // Seconds since the Unix epoch, UTC. Unset: the runner picks a window
  // around the scenario clock.
  std::optional<Located<int64_t>> not_before;
  std::optional<Located<int64_t>> not_after;
  bool no_san = false;            // leaf: san=none, no subjectAltName at all
  bool compressed_point = false;  // EC key: point=compressed
  // CA: name constraints, DNS subtrees permitted and excluded.
  std::vector<std::string> permit;
  std::vector<std::string> exclude;
  bool operator==(const CertDecl&) const = default;
};

// A callback that asks OpenSSL to retry `retries` times, then lets the
// handshake go on, or fails it.   cert_cb = retry 2 then ok
struct RetryPlan {
  int64_t retries = 0;
  bool then_fail = false;
  // `missing_file` (cert_cb only): fail the way a callback that loads its
  // certificate from a missing file does, a system error on the queue.
  bool missing_file = false;
  // `accept_all` (verify_cb only): go on by returning 1 at every call,
  // whatever OpenSSL found (`ok` returns what OpenSSL decided,
  // preverify_ok).
  bool accept_all = false;
  bool operator==(const RetryPlan&) const = default;
};

// What the server's name callback answers: SSL_TLSEXT_ERR_OK, _NOACK,
// _ALERT_WARNING or _ALERT_FATAL (unrecognized_name).
enum class ServernameAction { kOk, kNoAck, kAlertWarning, kAlertFatal };

// What the client hello callback does with a name no `hello_contexts` entry
// lists (or no SNI): go on in the first context, or fail.
enum class HelloMismatch { kIgnore, kReject };

struct VersionRange {
  Version min = Version::kTls1_2;
  Version max = Version::kTls1_3;
  bool operator==(const VersionRange&) const = default;
};

// One `client { ... }` or `server { ... }` block. Every setting is optional;
// an unset one keeps OpenSSL's default. Each remembers where it was written
// so the runner can point at it when OpenSSL refuses the value. Each member
// has its row in Settings() (settings.h): its name in files, which block
// takes it and how its value is written.
struct EndpointDecl {
  Pos pos;
  bool declared = false;  // the block appeared in the file
  std::optional<Located<VersionRange>> versions;
  std::optional<Located<std::string>> ciphersuites;  // TLS 1.3, colon list
  std::optional<Located<std::string>> ciphers;       // TLS 1.2 cipher list
  std::optional<Located<std::string>> groups;        // colon list
  std::optional<Located<std::string>> sigalgs;       // colon list
  std::optional<Located<VerifyMode>> verify;
  std::optional<Located<std::vector<std::string>>> trust;  // cert names
  // Leaves to present, at most one per certificate slot (proto::SlotOf).
  std::optional<Located<std::vector<std::string>>> cert;
  std::optional<Located<std::string>> server_name;  // client: SNI sent
  std::optional<Located<std::string>> verify_host;  // client: SSL_set1_host
  std::optional<Located<std::vector<std::string>>> alpn;
  std::optional<Located<bool>> session_cache;
  std::optional<Located<bool>> tickets;
  std::optional<Located<int64_t>> buffer;  // BIO pair buffer size, bytes
  // Callbacks that ask for retries (issue: every retry path reachable).
  std::optional<Located<RetryPlan>> client_hello_cb;  // server
  std::optional<Located<RetryPlan>> cert_cb;
  std::optional<Located<RetryPlan>> client_cert_cb;  // client
  std::optional<Located<RetryPlan>> verify_cb;
  std::optional<Located<ServernameAction>> servername;  // server
  // server: SNI host name -> the leaf presented for it
  std::optional<Located<std::vector<std::pair<std::string, std::string>>>>
      sni_certs;
  std::optional<Located<bool>> ticket_key_fail;  // ticket_key_cb = fail
  // SSL_OP_ / SSL_MODE_ switches by name: the names of Options()
  // (settings.h).
  std::optional<Located<std::vector<std::string>>> options;
  std::optional<Located<int64_t>> num_tickets;
  std::optional<Located<int64_t>> max_early_data;
  std::optional<Located<int64_t>> max_fragment_length;
  std::optional<Located<int64_t>> max_send_fragment;
  std::optional<Located<int64_t>> security_level;
  std::optional<Located<std::string>> psk_identity;  // external PSK
  std::optional<Located<std::string>> psk_key;       // hex
  // off: the harness leaves the thread's error queue alone around this
  // side's calls (never ERR_clear_error), as many applications do. Unset or
  // on: it empties the queue before each call and after reading it.
  std::optional<Located<bool>> clear_errors;
  std::optional<Located<bool>> dh_auto;  // server: SSL_CTX_set_dh_auto
  // The transport: BIO pair buffers each way, apart (`buffer`
  // sets both), and the most bytes in flight from this side.
  std::optional<Located<int64_t>> send_buffer;
  std::optional<Located<int64_t>> recv_buffer;
  std::optional<Located<int64_t>> network_capacity;
  // CA names sent: a server's CertificateRequest, a client's
  // certificate_authorities (pki certificate names).
  std::optional<Located<std::vector<std::string>>> ca_names;
  std::optional<Located<std::string>> client_sigalgs;  // colon list
  // server: SNI host name -> the `server context` switched to
  std::optional<Located<std::vector<std::pair<std::string, std::string>>>>
      contexts;
  // server: what the client hello callback does: switch the context for
  // the SNI it reads from the ClientHello, refuse other names, set the
  // connection's versions, and the alert it fails with (a description code).
  std::optional<Located<std::vector<std::pair<std::string, std::string>>>>
      hello_contexts;
  std::optional<Located<HelloMismatch>> hello_mismatch;
  std::optional<Located<VersionRange>> hello_versions;
  std::optional<Located<int64_t>> hello_alert;
  bool operator==(const EndpointDecl&) const = default;
};

enum class Call {
  kConnect,          // SSL_connect
  kAccept,           // SSL_accept
  kDoHandshake,      // SSL_do_handshake
  kSetConnectState,  // SSL_set_connect_state (returns nothing)
  kSetAcceptState,   // SSL_set_accept_state (returns nothing)
  kRead,             // SSL_read of up to read_len bytes
  kWrite,            // SSL_write of write_data
  kShutdown,         // SSL_shutdown
  kPeek,             // SSL_peek of up to read_len bytes
  kPending,          // SSL_pending: returns the count
  kWriteEarly,       // SSL_write_early_data of write_data: 1 or 0
  kReadEarly,        // SSL_read_early_data of up to read_len bytes:
                     // 0 error, 1 success, 2 finish
  kKeyUpdate,        // SSL_key_update, requested or not (key_update_requested)
  kRenegotiate,      // SSL_renegotiate
  kVerifyClientPostHandshake,  // SSL_verify_client_post_handshake
  // Not an SSL call: leaves an error on the thread's error queue, as an
  // application's own failed call (or ERR_raise) does. Returns nothing.
  kRaiseError,
};
inline constexpr Call kLastCall = Call::kRaiseError;

struct AlertExpect {
  static constexpr int kNone = -1;  // `none`: no alert at all
  std::optional<AlertLevel> level;  // unset: either level
  int description = 0;              // TLS AlertDescription code, or kNone
  bool operator==(const AlertExpect&) const = default;
};

// What a call step expects. Only what is set is checked; `any` checks
// nothing and is written `-> any`.
struct Outcome {
  Pos pos;
  bool any = false;
  std::optional<int> ret;
  std::optional<SslError> error;
  std::optional<std::string> reason;  // substring of the first error reason
  std::optional<std::string> state;   // SSL_state_string_long, exactly
  std::optional<std::string> data;    // bytes a read returned, exactly
  std::optional<AlertExpect> alert_sent;
  std::optional<AlertExpect> alert_received;
  std::optional<std::string> verify;  // SSL_get_verify_result's name after
  // errno=ECONNRESET: the errno a failed read or write of the transport
  // set during the call ("ECONNRESET", "EPIPE"), or "none".
  std::optional<std::string> sys_errno;
  bool operator==(const Outcome&) const = default;
};

struct CallStep {
  Pos pos;
  Side side = Side::kClient;
  Call call = Call::kConnect;
  int64_t read_len = 0;               // kRead, kPeek, kReadEarly
  std::string write_data;             // kWrite, kWriteEarly
  bool key_update_requested = false;  // kKeyUpdate
  // kWrite, kWriteEarly: `write "text" moved` passes the text from a new
  // buffer even when it repeats the last write (a moved retry).
  bool moved_buffer = false;
  // kRaiseError: `raise_error system` leaves a system error (errno ENOENT,
  // as a failed fopen does) instead of a library error.
  bool raise_system = false;
  std::optional<Outcome> expect;  // absent for the calls returning nothing
  bool operator==(const CallStep&) const = default;
};

// How much of what is in flight one delivery moves.
struct Amount {
  enum class Kind { kBytes, kRecord, kAll };
  Kind kind = Kind::kAll;
  int64_t bytes = 0;  // kBytes only
  bool operator==(const Amount&) const = default;
};

// What a wire step that can fail is expected to do, written after it:
//   deliver client->server all -> fails "the direction is closed"
// The step must fail, with a message containing `message` when one is
// given; the run then goes on. Without one, a wire step that fails fails the
// scenario. Steps that cannot fail (close) take none: the parser refuses it.
struct WireOutcome {
  Pos pos;
  std::optional<std::string> message;  // a substring of the failure message
  bool operator==(const WireOutcome&) const = default;
};

// deliver client->server 10 | record | all
struct DeliverStep {
  Pos pos;
  Side from = Side::kClient;
  Amount amount;
  std::optional<WireOutcome> expect;  // -> fails ["..."]
  bool operator==(const DeliverStep&) const = default;
};

// close client->server: the server reads EOF once it has read what was
// already delivered; what is still in flight is lost.
// reset client->server: a TCP reset from the client. What is in flight that
// way and what the server has not read yet are discarded; the server's
// reads fail with ECONNRESET, both sides' writes with EPIPE.
struct CloseStep {
  Pos pos;
  Side from = Side::kClient;
  bool reset = false;
  bool operator==(const CloseStep&) const = default;
};

// Which records in flight a fault addresses. Records are counted from the
// first one that starts in flight.
struct RecordSelector {
  enum class Kind {
    kIndex,      // record 3: the third record
    kHandshake,  // record Certificate: the first carrying that message
    kTypeIndex,  // record application_data:2: the second of that type
  };
  Kind kind = Kind::kIndex;
  int64_t index = 1;  // kIndex, kTypeIndex
  int type = 0;       // kHandshake: message type; kTypeIndex: content type
  bool operator==(const RecordSelector&) const = default;
};

// A change to the bytes in flight one way, before they are delivered.
//   drop DIR record SEL            duplicate DIR record SEL
//   swap DIR record SEL record SEL truncate DIR N
//   cut DIR record SEL N           corrupt DIR byte N xor M
//   corrupt DIR record SEL byte N xor M
//   corrupt DIR record SEL type|version|length V
//   inject DIR hex "..."           inject DIR alert LEVEL:NAME
struct FaultStep {
  enum class Kind {
    kDrop,
    kDuplicate,
    kSwap,
    kTruncate,
    kCut,
    kXor,  // record unset: offset counts from the first byte in flight
    kSetField,
    kInjectHex,
    kInjectAlert,
  };
  enum class Field { kType, kVersion, kLength };
  Pos pos;
  Side from = Side::kClient;
  Kind kind = Kind::kDrop;
  std::optional<RecordSelector> record;
  std::optional<RecordSelector> other;  // kSwap's second record
  int64_t count = 0;                    // kTruncate, kCut: bytes kept
  int64_t offset = 0;                   // kXor
  int64_t mask = 0;                     // kXor
  Field field = Field::kType;           // kSetField
  int64_t value = 0;                    // kSetField
  std::string hex;                      // kInjectHex, as written
  AlertExpect alert;                    // kInjectAlert; level always set
  std::optional<WireOutcome> expect;    // -> fails ["..."]
  bool operator==(const FaultStep&) const = default;
};

// connection NAME [resume=EARLIER]
// Opens a new connection between the same client and server settings (the
// same SSL_CTXs); the steps after it act on it. With resume=, the client
// offers the session it holds at the end of the named connection (for TLS
// 1.3, the last ticket it read). The first connection is named "main".
struct ConnectionStep {
  Pos pos;
  std::string name;
  std::optional<Located<std::string>> resume;
  bool operator==(const ConnectionStep&) const = default;
};

enum class DriveResult { kDone, kStalled, kFailed };

// drive deliver=1 first=server limit=500 -> done
// Each round calls each side's handshake function in turn (SSL_connect /
// SSL_accept, or SSL_do_handshake once a step chose the side's role), each
// followed by delivering `chunk` of what that side has in flight, until both
// sides finish or fail, or a round moves nothing (a stall).
struct DriveStep {
  Pos pos;
  Amount chunk;  // default: all
  Side first = Side::kClient;
  int64_t limit = 10000;  // rounds
  DriveResult expect = DriveResult::kDone;
  // `-> failed by server`: that side's call failed first (set only with
  // kFailed).
  std::optional<Side> failed_by;
  bool operator==(const DriveStep&) const = default;
};

enum class Property {
  kVersion,        // Version
  kCipher,         // string: OpenSSL or IANA name
  kGroup,          // string
  kAlpn,           // string; "none" when nothing was agreed
  kServerName,     // string; "none" when absent
  kVerifyResult,   // string: X509_V_OK or an X509_V_ERR_ name
  kSessionReused,  // bool
  kHandshakeDone,  // bool
  kInFlight,       // int64_t; `side` is the sending side
  kTickets,        // int64_t: NewSessionTickets read on this connection
  kEarlyData,      // string: not_sent, rejected or accepted
  kResumption,     // string: none, session_id, ticket or psk
  // Client only: its session holds a ticket (SSL_SESSION_has_ticket), and
  // the ticket's lifetime hint in seconds ("none" without a session).
  kTicket,          // bool
  kTicketLifetime,  // int64_t or the string "none"
  // Server only: the host name of the server_name extension in the last
  // ClientHello it read; "none" without one.
  kSniReceived,  // string
  // The peer as this side saw it (strings, "none" when there is nothing):
  kPeerCertType,  // the key type of the peer's certificate: RSA, P-256, ...
  kPeerSigType,   // SSL_get_peer_signature_type_nid: RSA-PSS, ECDSA, ...
  kPeerSigHash,   // SSL_get_peer_signature_nid: SHA256, ...
  kPeerTmpKey,    // SSL_get_peer_tmp_key's type: X25519, P-256, DH, ...
  // Like kInFlight, `side` the sending side (`expect held DIR = N`):
  kHeld,     // int64_t: bytes the sender's BIO pair holds, not yet taken
  kUnread,   // int64_t: bytes delivered that the receiver has not read
  kCaNames,  // string: the CA names received, pki names, "none"
  // What the side's program read so far, all its operations together
  // (string), and where the program stands (string: done, failed, waiting,
  // none) after a `run`.
  kProgramRead,
  kProgram,
};

// The properties written `expect WORD DIR = N`, about one direction.
inline bool IsDirectionProperty(Property p) {
  return p == Property::kInFlight || p == Property::kHeld ||
         p == Property::kUnread;
}

// expect client version = TLSv1.3
// expect in_flight server->client = 0
struct ExpectStep {
  Pos pos;
  Property property = Property::kVersion;
  Side side = Side::kClient;
  std::variant<std::string, Version, bool, int64_t> value;
  Pos value_pos;
  bool operator==(const ExpectStep&) const = default;
};

// How a program reacts when a call returns WANT_READ or WANT_WRITE (and
// what else it does meanwhile): the ways applications' loops are written,
// right and wrong.
enum class Policy {
  kCorrect,             // wait for what the error asks for, then repeat
  kReadWaitsReadable,   // WANT_WRITE from SSL_read waits for readable
  kWantWriteFatal,      // WANT_WRITE ends the program as failed
  kFullDuplex,          // while waiting to write, read whatever arrives
  kReadWhileWriteOwed,  // a write that wants to write is owed; go on
  kBusy,                // repeat at once, waiting for nothing
  kWriteWaitsWritable,  // WANT_READ from SSL_write waits for writable
};

// One thing a program does, retried until it is done.
struct Operation {
  enum class Kind {
    kHandshake,    // `call` (connect, accept, do_handshake) until it returns 1
    kWrite,        // SSL_write until all of `data` is written
    kRead,         // SSL_read until `until` holds
    kShutdown,     // SSL_shutdown until it returns 1 (`once`: 0 or 1)
    kKeyUpdate,    // SSL_key_update, then SSL_do_handshake until 1
    kRenegotiate,  // SSL_renegotiate, then do_handshake
    kVerifyClientPostHandshake,  // SSL_verify_client_post_handshake, then
                                 // do_handshake
    kWriteEarly,                 // SSL_write_early_data of `data`
    kReadEarly,                  // SSL_read_early_data until it finishes
    kWaitPeer,  // nothing until the peer's program has finished
  };
  // kRead: until `bytes` more bytes, until `data` has been read, or until
  // the peer's close_notify (SSL_read returns 0, ZERO_RETURN).
  enum class Until { kBytes, kText, kCloseNotify };
  Pos pos;
  Kind kind = Kind::kHandshake;
  Call call = Call::kConnect;  // kHandshake
  std::string data;            // kWrite, kWriteEarly; kRead until kText
  Until until = Until::kBytes;
  int64_t bytes = 0;                      // kRead until kBytes
  bool once = false;                      // kShutdown
  bool requested = false;                 // kKeyUpdate
  std::optional<Located<Policy>> policy;  // this operation's own
  bool operator==(const Operation&) const = default;
};

// The longest text `read until` may wait for.
inline constexpr size_t kMaxReadUntil = 4096;

// program client blocking policy=full_duplex { connect ... }
// What one side's application does, in order, when a `run` step runs it.
struct ProgramDecl {
  Pos pos;
  Side side = Side::kClient;
  // Its calls never return WANT_READ / WANT_WRITE for want of bytes or
  // room: they wait for the event loop, as over a blocking socket.
  bool blocking = false;
  std::optional<Located<Policy>> policy;  // default for every operation
  std::vector<Operation> operations;
  bool operator==(const ProgramDecl&) const = default;
};

enum class RunVerdict { kDone, kFailed, kDeadlock, kSpinning, kUnfinished };

// run deliver=1 first=server limit=5000 -> deadlock
// Runs both programs over the transport: each side runs until it waits,
// then the network delivers `chunk` of one direction's bytes, until both
// programs finish, one fails, nothing can move, or `limit` calls and
// deliveries have been made.
struct RunStep {
  Pos pos;
  Amount chunk;  // default: all
  Side first = Side::kClient;
  int64_t limit = 10000;  // calls and deliveries
  RunVerdict expect = RunVerdict::kDone;
  std::optional<Side> failed_by;  // `-> failed by SIDE` (kFailed only)
  bool operator==(const RunStep&) const = default;
};

// The scenario clock when a file sets none: runs never read the wall clock.
inline constexpr int64_t kDefaultClock = 1767225600;  // 2026-01-01T00:00:00Z
// The latest time the clock may reach: 9999-12-31T23:59:59Z.
inline constexpr int64_t kLastClock = 253402300799;

// clock advance 2h30m      clock set 2026-03-01T00:00:00Z
// Moves the scenario clock forward (never back): what OpenSSL reads as the
// time from the next step on (tls/clock.h).
struct ClockStep {
  Pos pos;
  bool set = false;     // `set`: `seconds` is the time; else the advance
  int64_t seconds = 0;  // advance: >= 0; set: seconds since the epoch
  bool operator==(const ClockStep&) const = default;
};

// client set KEY = VALUE
// Changes one setting of the current connection's SSL (SSL_set_* and
// friends), before its handshake or between handshakes; `settings` holds
// exactly that one setting (settings.h SettableOnSsl says which).
struct SetStep {
  Pos pos;
  Side side = Side::kClient;
  EndpointDecl settings;
  bool operator==(const SetStep&) const = default;
};

// How a version test compares the running series with its own:
// == != < <= > >=, in release order (proto::OpensslSeries).
enum class Comparison { kEq, kNe, kLt, kLe, kGt, kGe };

// openssl >= 3.5: the series this process runs on, compared with one of
// proto::AllSeries().
struct VersionTest {
  Pos pos;  // the word `openssl`
  Comparison op = Comparison::kGe;
  proto::OpensslSeries series = proto::kDefaultSeries;
  bool operator==(const VersionTest&) const = default;
};

// openssl >= 3.0 and openssl < 4.0: holds when every test does
// (versions.h decides).
struct VersionCondition {
  Pos pos;
  std::vector<VersionTest> tests;  // at least one
  bool operator==(const VersionCondition&) const = default;
};

struct IfStep;

// A step of the file. An `if` block (IfStep) holds steps of its own; every
// run resolves the blocks first for the series it runs on
// (scenario::ForSeries, versions.h), so what runs is a list of the others.
using Step = std::variant<CallStep, DeliverStep, CloseStep, DriveStep,
                          ExpectStep, FaultStep, ConnectionStep, ClockStep,
                          SetStep, RunStep, IfStep>;

// One branch of an `if` block: `if COND {`, `} else if COND {`, or
// `} else {` (no condition).
struct Branch {
  Pos pos;  // `if`, or the `else` that opens it
  std::optional<VersionCondition> condition;
  std::vector<Step> steps;
  friend bool operator==(const Branch&, const Branch&);
};

//   if openssl < 3.5 {          client connect -> 1 if openssl >= 3.5
//     ...
//   } else {
//     ...
//   }
// The first branch whose condition holds runs (the `else`, the last, when
// none does); nothing runs when no branch matches. The one-line form (a
// step ending with `if CONDITION`) is a block of one branch holding that
// step, printed back on one line.
struct IfStep {
  Pos pos;                       // the first `if`
  std::vector<Branch> branches;  // at least one; only the last may be else
  bool one_line = false;
  friend bool operator==(const IfStep&, const IfStep&);
};

inline bool operator==(const Branch& a, const Branch& b) {
  return a.condition == b.condition && a.steps == b.steps;
}

inline bool operator==(const IfStep& a, const IfStep& b) {
  return a.one_line == b.one_line && a.branches == b.branches;
}

// server context NAME { ... }: a second server SSL_CTX, which the server's
// name callback switches to (SSL_set_SSL_CTX) for the hosts its `contexts`
// setting maps to NAME.
struct ContextDecl {
  Pos pos;
  std::string name;
  EndpointDecl settings;
  bool operator==(const ContextDecl&) const = default;
};

struct Scenario {
  std::string file;  // as given to the parser; not part of equality
  std::string title;
  // requires openssl >= 3.5: the series the scenario applies to; on
  // another one nothing runs and the run says it is not applicable.
  std::optional<VersionCondition> requirement;
  std::optional<uint64_t> seed;
  std::optional<int64_t> clock;  // seconds since the Unix epoch, UTC
  std::vector<CertDecl> pki;
  EndpointDecl client;
  EndpointDecl server;
  std::vector<ContextDecl> contexts;  // server context NAME { ... }
  std::vector<ProgramDecl> programs;  // at most one per side
  std::vector<Step> steps;

  bool operator==(const Scenario& o) const {
    return title == o.title && requirement == o.requirement && seed == o.seed &&
           clock == o.clock && pki == o.pki && client == o.client &&
           server == o.server && contexts == o.contexts &&
           programs == o.programs && steps == o.steps;
  }
};

}  // namespace tlsim::scenario

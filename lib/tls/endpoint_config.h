// One side's TLS settings, turned into an SSL_CTX and an SSL.
//
//   tls::EndpointConfig cfg;
//   cfg.is_server = true;
//   cfg.cert = "server.test";
//   tls::ConfigError err;
//   tls::SslCtxPtr ctx = tls::MakeContext(libctx, cfg, pki, &err);
//   tls::SslPtr ssl = tls::MakeSsl(ctx.get(), cfg, &err);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/tls/handles.h"
#include "lib/tls/library.h"
#include "lib/tls/pki.h"

namespace tlsim::tls {

enum class VerifyMode { kNone, kPeer, kRequire };

// A callback that can ask OpenSSL to call it again: its first `retries` calls
// ask for a retry (the handshake call returns -1 with a WANT_* error and the
// application calls it again), the next one lets the handshake go on, or
// makes it fail when `then_fail`.
struct RetryPlan {
  bool enabled = false;
  int retries = 0;
  bool then_fail = false;
  // cert_cb only, with then_fail: fail as a callback that loads its
  // certificate from disk does when the file is missing, leaving the
  // system error (ERR_LIB_SYS, from fopen) first on the error queue.
  bool missing_file = false;
  // verify_cb only: go on by returning 1 at every call (instead of
  // preverify_ok, what OpenSSL decided).
  bool accept_all = false;
};

// The file a `missing_file` certificate callback tries to load.
inline constexpr char kMissingCertificateFile[] =
    "/nonexistent/tlsim/certificate.pem";

// What the server's servername callback answers for an SNI that no
// `sni_certs` entry matches (and for a ClientHello without SNI).
// kNone installs no callback (unless `sni_certs` needs one; it then answers
// as kOk).
enum class ServernameAction { kNone, kOk, kNoAck, kAlertWarning, kAlertFatal };

// Every member has a default that leaves OpenSSL's own default in place
// (empty string / 0 = not set). Which side takes a setting and the range of
// its value are the scenario language's rules (lib/scenario/settings.h),
// checked when a file is parsed; MakeContext refuses only combinations that
// make no sense and what OpenSSL refuses.
struct EndpointConfig {
  bool is_server = false;
  int min_version = 0;  // TLS1_2_VERSION, ...; 0: OpenSSL's default
  int max_version = 0;
  // Unset: OpenSSL's default. Set, even to "", the text goes to OpenSSL as
  // written, which decides what an empty list means.
  std::optional<std::string> ciphersuites;  // SSL_CTX_set_ciphersuites
  std::optional<std::string> cipher_list;   // SSL_CTX_set_cipher_list
  std::optional<std::string> groups;        // SSL_CTX_set1_groups_list
  std::optional<std::string> sigalgs;       // SSL_CTX_set1_sigalgs_list
  VerifyMode verify = VerifyMode::kNone;
  std::vector<std::string> trust;  // names of Pki certs to trust
  // Names of the Pki leaves to present, at most one per CertSlot (keys.h):
  // OpenSSL keeps one certificate per key type and picks among them per
  // handshake, by the peer's signature algorithms and the cipher.
  std::vector<std::string> cert;
  std::string server_name;  // client: SNI (SSL_set_tlsext_host_name)
  std::string verify_host;  // client: SSL_set1_host
  // Client: protocols offered. Server: protocols accepted, in preference
  // order; a client offering none of them gets a no_application_protocol
  // alert (RFC 7301 3.2).
  std::vector<std::string> alpn;
  // With `alpn` empty: an empty list was set all the same (client:
  // SSL_CTX_set_alpn_protos of 0 bytes; server: a select callback that
  // accepts no protocol).
  bool alpn_empty = false;
  bool session_cache = true;  // false: SSL_SESS_CACHE_OFF
  bool tickets = true;        // false: SSL_OP_NO_TICKET

  // Server: SSL_CTX_set_client_hello_cb. A retry is SSL_CLIENT_HELLO_RETRY
  // (SSL_ERROR_WANT_CLIENT_HELLO_CB); failing is SSL_CLIENT_HELLO_ERROR with
  // a handshake_failure alert.
  RetryPlan client_hello_cb;
  // Either side: SSL_CTX_set_cert_cb. A retry returns -1
  // (SSL_ERROR_WANT_X509_LOOKUP); failing returns 0. A client calls it only
  // when the server asks for a certificate.
  RetryPlan cert_cb;
  // Client: SSL_CTX_set_client_cert_cb. `cert` is then not loaded into the
  // context: the callback hands it over. A retry returns -1
  // (SSL_ERROR_WANT_X509_LOOKUP); failing returns 0 (no certificate).
  RetryPlan client_cert_cb;
  // Client, or a server with verify on: SSL_CTX_set_verify's callback. A
  // retry is SSL_set_retry_verify when the leaf (depth 0) is checked
  // (SSL_ERROR_WANT_RETRY_VERIFY; only a client can retry); failing sets
  // X509_V_ERR_APPLICATION_VERIFICATION there and returns 0.
  RetryPlan verify_cb;
  // Server: SSL_CTX_set_tlsext_servername_callback; see ServernameAction.
  ServernameAction servername = ServernameAction::kNone;
  // Server: SNI host name -> name of the Pki leaf that the servername
  // callback presents instead of `cert` for that connection.
  std::map<std::string, std::string> sni_certs;
  // Server: a session ticket key callback that fails (-1) when asked to
  // encrypt a ticket and does not recognise (0) any ticket it is asked to
  // decrypt.
  bool ticket_key_fail = false;

  bool ignore_unexpected_eof = false;       // SSL_OP_IGNORE_UNEXPECTED_EOF
  bool no_renegotiation = false;            // SSL_OP_NO_RENEGOTIATION
  bool allow_client_renegotiation = false;  // server: ..._CLIENT_RENEGOTIATION
  bool no_extended_master_secret = false;   // SSL_OP_NO_EXTENDED_MASTER_SECRET
  bool no_ca_names = false;                 // SSL_OP_DISABLE_TLSEXT_CA_NAMES
  bool partial_write = false;               // SSL_MODE_ENABLE_PARTIAL_WRITE
  bool moving_write_buffer = false;  // SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
  bool middlebox_compat = true;  // false: clear SSL_OP_ENABLE_MIDDLEBOX_COMPAT
  bool auto_retry = true;        // false: clear SSL_MODE_AUTO_RETRY
  bool post_handshake_auth = false;  // client: SSL_set_post_handshake_auth
  // server: SSL_VERIFY_POST_HANDSHAKE: ask for the client's certificate
  // only in SSL_verify_client_post_handshake, not in the handshake
  bool verify_post_handshake = false;
  bool allow_no_dhe_kex = false;  // SSL_OP_ALLOW_NO_DHE_KEX: TLS 1.3 psk_ke
  bool no_anti_replay = false;    // server: SSL_OP_NO_ANTI_REPLAY
  int num_tickets = -1;           // >= 0: SSL_CTX_set_num_tickets
  uint32_t max_early_data = 0;    // server, > 0: SSL_CTX_set_max_early_data
  int max_fragment_length = 0;    // client: 512, 1024, 2048 or 4096 (RFC 6066)
  int max_send_fragment = 0;      // > 0: SSL_CTX_set_max_send_fragment
  int security_level = -1;        // >= 0: SSL_CTX_set_security_level

  // Called with each NSS key log line (SSL_CTX_set_keylog_callback).
  std::function<void(const SSL*, const char* line)> keylog;
  // Server, non-zero: the Unix time sealed into session tickets instead of
  // the wall clock (SSL_CTX_set_session_ticket_cb), so that ticket bytes do
  // not depend on when a run happens. A ticket that comes back is treated as
  // issued now: OpenSSL checks its lifetime and a TLS 1.3 ticket's age
  // against time(NULL), and would otherwise refuse it. Inside a ClockScope
  // (clock.h) time(NULL) is the scenario clock: a ticket is then sealed
  // with the scenario's time when it is issued, and comes back with that
  // time, so OpenSSL measures its age on the scenario clock.
  int64_t session_time = 0;

  // External PSK (both sides): the identity the client offers and the
  // server accepts, and the key as hex. Works for TLS 1.2 PSK ciphers and
  // TLS 1.3 (where OpenSSL uses it with a SHA-256 suite; the key must then
  // be 32 bytes).
  std::string psk_identity;
  std::string psk_key_hex;

  // Server: DHE ciphers (needed by DSA certificates, which have no ECDHE
  // suite) with built-in parameters OpenSSL sizes to the certificate key's
  // strength (SSL_CTX_set_dh_auto).
  bool dh_auto = false;
  // More SSL_OP_ bits to set (SSL_OP_CIPHER_SERVER_PREFERENCE, ...).
  uint64_t extra_options = 0;
  // Names of Pki certificates whose subjects are the CA names sent: a
  // server's CertificateRequest (SSL_CTX_set_client_CA_list, instead of the
  // `trust` names), a client's certificate_authorities (SSL_CTX_set0_CA_list).
  std::vector<std::string> ca_names;
  // SSL_CTX_set1_client_sigalgs_list; set and empty is passed on too.
  std::optional<std::string> client_sigalgs;
  // Server: SNI host name -> the context the servername callback switches
  // to (SSL_set_SSL_CTX), copying its verify mode and callback and its
  // SSL_OP_ options as OpenSSL's own handshake tests do. The new context is
  // up-referenced.
  std::map<std::string, SSL_CTX*> sni_contexts;
  // Server: what the client hello callback does once its RetryPlan lets the
  // handshake go on. It reads the SNI from the raw ClientHello and switches
  // to the context `hello_contexts` names for it (as sni_contexts, before
  // any extension is processed); a name not listed, or none, fails the
  // handshake when `hello_reject_mismatch`. Then it sets the connection's
  // versions (0: unchanged). It fails with `hello_alert` (-1: OpenSSL's
  // tests' choice: handshake_failure, unrecognized_name for a name).
  std::map<std::string, SSL_CTX*> hello_contexts;
  bool hello_reject_mismatch = false;
  int hello_min_version = 0;
  int hello_max_version = 0;
  int hello_alert = -1;
  // Server: install the ALPN callback even without `alpn`, so that a
  // connection's own list (ApplyToSsl) can be used.
  bool alpn_per_connection = false;
};

// How often each callback of one SSL was called (retries included).
struct CallbackCounts {
  int client_hello = 0;
  int cert = 0;
  int client_cert = 0;
  int verify = 0;
  int servername = 0;
  int ticket_key = 0;
};

// Which setting OpenSSL refused, and why (the OpenSSL reason when it gives
// one). `field` is the scenario's name for it ("ciphers", "groups", ...).
struct ConfigError {
  std::string field;
  std::string message;
};

// Builds the context from a per-run library (library.h). Returns nullptr and
// fills out_error when OpenSSL refuses a setting, a named cert is missing,
// or the OpenSSL built against lacks a setting (named with its version).
[[nodiscard]] SslCtxPtr MakeContext(LibCtx* libctx,
                                    const EndpointConfig& config,
                                    const Pki& pki, ConfigError* out_error);

// The per-connection object: SNI and host check for a client, and the
// callbacks' per-connection state. Neither connect nor accept state is set:
// the scenario chooses.
[[nodiscard]] SslPtr MakeSsl(SSL_CTX* ctx, const EndpointConfig& config,
                             ConfigError* out_error);

// Changes the setting named `field` (the scenario's name: "versions",
// "alpn", ...) of a live SSL to its value in `config`, through the SSL form
// of its setter. Returns false and fills out_error when OpenSSL refuses it
// or the setting has no SSL form.
[[nodiscard]] bool ApplyToSsl(SSL* ssl, const std::string& field,
                              const EndpointConfig& config, const Pki& pki,
                              ConfigError* out_error);

// The callback counts of an SSL made by MakeSsl (or whose context came from
// MakeContext and whose callbacks ran); nullptr for any other.
const CallbackCounts* GetCallbackCounts(const SSL* ssl);

}  // namespace tlsim::tls

#include "lib/tls/endpoint_config.h"

#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lib/tls/clock.h"
#include "lib/tls/compat.h"
#include "lib/tls/library.h"

namespace tlsim::tls {
namespace {

// Fills *out_error and returns nullptr of the caller's handle type.
std::nullptr_t Refuse(ConfigError* out_error, std::string field,
                      std::string message) {
  *out_error = ConfigError{std::move(field), std::move(message)};
  return nullptr;
}

// "OpenSSL refused '<value>': <reason>" from the oldest queued error, without
// the reason when OpenSSL queued none; empties the queue.
std::string Refused(const std::string& value) {
  unsigned long code = ERR_get_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  std::string message = "OpenSSL refused '" + value + "'";
  if (reason != nullptr) message += std::string(": ") + reason;
  return message;
}

// "0x0303" for TLS1_2_VERSION.
std::string Hex(int version) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%04x", static_cast<unsigned>(version));
  return text;
}

// ALPN wire format (RFC 7301 3.1): each protocol prefixed by its length.
// Returns false with *out_message on a protocol that cannot be encoded.
bool AlpnWireFormat(const std::vector<std::string>& protocols,
                    std::string* out_wire, std::string* out_message) {
  out_wire->clear();
  for (const std::string& p : protocols) {
    if (p.empty() || p.size() > 255) {
      *out_message = "protocol '" + p + "' must be 1 to 255 bytes long";
      return false;
    }
    out_wire->push_back(static_cast<char>(p.size()));
    *out_wire += p;
  }
  return true;
}

// The server's ALPN list lives in the SSL_CTX's ex_data, so the context frees
// it: the free function runs for every context, with nullptr where unset.
void FreeAlpn(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/,
              long /*argl*/, void* /*argp*/) {
  delete static_cast<std::string*>(ptr);
}

// One process-wide slot index; OpenSSL has no per-library-context way to
// register one.
int AlpnExDataIndex() {
  static const int index =
      SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeAlpn);
  return index;
}

const std::string* ConnectionAlpn(SSL* ssl);

// Picks the first protocol of the server's list (the connection's own, else
// `arg`, wire format) that the client offered; no overlap is fatal
// (no_application_protocol alert). No list at all: ALPN is ignored.
int SelectAlpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
               const unsigned char* in, unsigned int inlen, void* arg) {
  const std::string* server = ConnectionAlpn(ssl);
  if (server == nullptr) server = static_cast<const std::string*>(arg);
  if (server == nullptr) return SSL_TLSEXT_ERR_NOACK;
  // On a match `selected` points into the server list, which lives as long
  // as the context.
  unsigned char* selected = nullptr;
  unsigned char selected_len = 0;
  if (SSL_select_next_proto(
          &selected, &selected_len,
          reinterpret_cast<const unsigned char*>(server->data()),
          static_cast<unsigned int>(server->size()), in,
          inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  *outlen = selected_len;
  return SSL_TLSEXT_ERR_OK;
}

// A Pki leaf as an endpoint presents it. Up-referenced copies: the context
// does not depend on the Pki outliving it.
struct Credential {
  X509Ptr cert;
  EvpPkeyPtr key;
  std::vector<X509Ptr> chain;  // intermediates, nearest first
};

// Fills *out for the Pki certificate `name`; false when there is none.
bool FindCredential(const Pki& pki, const std::string& name, Credential* out) {
  const Issued* issued = pki.Find(name);
  if (issued == nullptr || issued->key == nullptr) return false;
  X509_up_ref(issued->cert.get());
  out->cert.reset(issued->cert.get());
  EVP_PKEY_up_ref(issued->key.get());
  out->key.reset(issued->key.get());
  for (X509* ca : pki.Intermediates(name)) {
    X509_up_ref(ca);
    out->chain.emplace_back(ca);
  }
  return true;
}

// Makes `credential` the only certificate `ssl` presents. Returns false when
// OpenSSL refuses it (the error stays queued).
bool Present(SSL* ssl, const Credential& credential) {
  SSL_certs_clear(ssl);
  if (SSL_use_certificate(ssl, credential.cert.get()) != 1 ||
      SSL_use_PrivateKey(ssl, credential.key.get()) != 1) {
    return false;
  }
  for (const X509Ptr& ca : credential.chain) {
    if (SSL_add1_chain_cert(ssl, ca.get()) != 1) return false;
  }
  return true;
}

// What the callbacks of one context read: a copy of the config's plans and
// the certificates they hand over. Lives in the SSL_CTX's ex_data.
struct ContextState {
  RetryPlan client_hello_cb;
  RetryPlan cert_cb;
  RetryPlan client_cert_cb;
  RetryPlan verify_cb;
  ServernameAction servername = ServernameAction::kNone;
  std::map<std::string, Credential> sni_certs;
  Credential client_cert;  // handed over by the client_cert_cb
  std::function<void(const SSL*, const char*)> keylog;
  int64_t session_time = 0;
  std::string psk_identity;
  std::vector<unsigned char> psk_key;
  std::map<std::string, SslCtxPtr> sni_contexts;  // host -> context
  std::map<std::string, SslCtxPtr> hello_contexts;
  bool hello_reject_mismatch = false;
  int hello_min_version = 0;
  int hello_max_version = 0;
  int hello_alert = -1;
};

// One connection's callback state. Lives in the SSL's ex_data.
struct ConnectionState {
  CallbackCounts counts;
  int verify_retries = 0;  // SSL_set_retry_verify calls so far
  // Server: this connection's own ALPN list (wire format), set by
  // ApplyToSsl; it lives as long as the SSL, like the selection into it.
  std::unique_ptr<std::string> alpn;
};

void FreeContextState(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/,
                      int /*idx*/, long /*argl*/, void* /*argp*/) {
  delete static_cast<ContextState*>(ptr);
}

void FreeConnectionState(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/,
                         int /*idx*/, long /*argl*/, void* /*argp*/) {
  delete static_cast<ConnectionState*>(ptr);
}

int ContextStateIndex() {
  static const int index =
      SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeContextState);
  return index;
}

int ConnectionStateIndex() {
  static const int index =
      SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeConnectionState);
  return index;
}

// The state of the context `ssl` belongs to; nullptr when MakeContext did
// not make it.
const ContextState* ContextOf(const SSL* ssl) {
  return static_cast<const ContextState*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ContextStateIndex()));
}

// The connection's state, created on first use (MakeSsl creates it up
// front); nullptr only when OpenSSL cannot store it.
ConnectionState* ConnectionOf(SSL* ssl) {
  auto* state = static_cast<ConnectionState*>(
      SSL_get_ex_data(ssl, ConnectionStateIndex()));
  if (state != nullptr) return state;
  auto owned = std::make_unique<ConnectionState>();
  if (SSL_set_ex_data(ssl, ConnectionStateIndex(), owned.get()) != 1) {
    return nullptr;
  }
  return owned.release();  // the SSL's ex_data owns it
}

const std::string* ConnectionAlpn(SSL* ssl) {
  const auto* state = static_cast<const ConnectionState*>(
      SSL_get_ex_data(ssl, ConnectionStateIndex()));
  return state != nullptr ? state->alpn.get() : nullptr;
}

// How a RetryPlan answers its `call`-th call (1-based).
enum class Answer { kRetry, kContinue, kFail };
Answer Decide(const RetryPlan& plan, int call) {
  if (call <= plan.retries) return Answer::kRetry;
  return plan.then_fail ? Answer::kFail : Answer::kContinue;
}

// Makes `ssl` use `next`: SSL_set_SSL_CTX switches the certificates, not
// the verify mode nor the options, which the SSL copied when it was made;
// copy them too (OpenSSL's test/helpers/handshake.c copies the options).
bool SwitchContext(SSL* ssl, SSL_CTX* next) {
  if (SSL_set_SSL_CTX(ssl, next) != next) return false;
  SSL_set_verify(ssl, SSL_CTX_get_verify_mode(next),
                 SSL_CTX_get_verify_callback(next));
  SSL_clear_options(ssl, SSL_get_options(ssl));
  SSL_set_options(ssl, SSL_CTX_get_options(next));
  return true;
}

// The host name of the ClientHello's server_name extension (RFC 6066 3: a
// list of which only the first, a host_name, is read); false when there is
// none or it does not parse.
bool ClientHelloServerName(SSL* ssl, std::string* out) {
  const unsigned char* p = nullptr;
  size_t remaining = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &remaining) !=
          1 ||
      remaining < 2) {
    return false;
  }
  const size_t list = (static_cast<size_t>(p[0]) << 8) | p[1];
  if (list + 2 != remaining || list < 3 || p[2] != TLSEXT_NAMETYPE_host_name) {
    return false;
  }
  const size_t name = (static_cast<size_t>(p[3]) << 8) | p[4];
  if (name + 3 > list) return false;
  out->assign(reinterpret_cast<const char*>(p + 5), name);
  return true;
}

// SSL_CTX_set_client_hello_cb.
int OnClientHello(SSL* ssl, int* al, void* arg) {
  const auto* context = static_cast<const ContextState*>(arg);
  ConnectionState* connection = ConnectionOf(ssl);
  if (connection == nullptr) return SSL_CLIENT_HELLO_SUCCESS;
  auto fail = [&](int alert) {
    *al = context->hello_alert >= 0 ? context->hello_alert : alert;
    return SSL_CLIENT_HELLO_ERROR;
  };
  switch (Decide(context->client_hello_cb, ++connection->counts.client_hello)) {
    case Answer::kRetry:
      return SSL_CLIENT_HELLO_RETRY;
    case Answer::kContinue:
      break;
    case Answer::kFail:
      return fail(SSL_AD_HANDSHAKE_FAILURE);
  }
  if (!context->hello_contexts.empty() || context->hello_reject_mismatch) {
    std::string name;
    auto it = ClientHelloServerName(ssl, &name)
                  ? context->hello_contexts.find(name)
                  : context->hello_contexts.end();
    if (it != context->hello_contexts.end()) {
      if (!SwitchContext(ssl, it->second.get())) {
        return fail(SSL_AD_INTERNAL_ERROR);
      }
    } else if (context->hello_reject_mismatch) {
      return fail(SSL_AD_UNRECOGNIZED_NAME);
    }
  }
  if ((context->hello_min_version != 0 &&
       SSL_set_min_proto_version(ssl, context->hello_min_version) != 1) ||
      (context->hello_max_version != 0 &&
       SSL_set_max_proto_version(ssl, context->hello_max_version) != 1)) {
    return fail(SSL_AD_INTERNAL_ERROR);
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

// SSL_CTX_set_cert_cb: -1 retry, 1 go on, 0 fail.
int OnCert(SSL* ssl, void* arg) {
  const auto* context = static_cast<const ContextState*>(arg);
  ConnectionState* connection = ConnectionOf(ssl);
  if (connection == nullptr) return 1;
  switch (Decide(context->cert_cb, ++connection->counts.cert)) {
    case Answer::kRetry:
      return -1;
    case Answer::kContinue:
      return 1;
    case Answer::kFail:
      if (context->cert_cb.missing_file) {
        // Fails: the file does not exist. OpenSSL queues the fopen error.
        SSL_use_certificate_file(ssl, kMissingCertificateFile,
                                 SSL_FILETYPE_PEM);
      }
      return 0;
  }
  return 0;
}

// SSL_CTX_set_client_cert_cb: -1 retry; 1 with the configured certificate
// and key (OpenSSL takes one reference to each); 0 for no certificate.
int OnClientCert(SSL* ssl, X509** out_cert, EVP_PKEY** out_key) {
  const ContextState* context = ContextOf(ssl);
  ConnectionState* connection = ConnectionOf(ssl);
  if (context == nullptr || connection == nullptr) return 0;
  switch (Decide(context->client_cert_cb, ++connection->counts.client_cert)) {
    case Answer::kRetry:
      return -1;
    case Answer::kFail:
      return 0;
    case Answer::kContinue:
      break;
  }
  const Credential& credential = context->client_cert;
  // OpenSSL installs what it is handed, but not a chain: present it all
  // here; OpenSSL's own SSL_use_certificate then keeps the chain.
  if (!Present(ssl, credential)) return 0;
  X509_up_ref(credential.cert.get());
  EVP_PKEY_up_ref(credential.key.get());
  *out_cert = credential.cert.get();
  *out_key = credential.key.get();
  return 1;
}

// SSL_CTX_set_verify's callback. OpenSSL calls it for each certificate of
// the chain, root first, and again for each error; the retry and the failure
// happen at the leaf (depth 0). Asking for a retry must return 1: a 0 would
// fail the verification instead. OpenSSL then runs the whole verification
// again on the next handshake call.
int OnVerify(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) return preverify_ok;
  const ContextState* context = ContextOf(ssl);
  ConnectionState* connection = ConnectionOf(ssl);
  if (context == nullptr || connection == nullptr) return preverify_ok;
  ++connection->counts.verify;
  if (X509_STORE_CTX_get_error_depth(store) != 0) {
    return context->verify_cb.accept_all ? 1 : preverify_ok;
  }
  // A second call at depth 0 in the same pass (an error, then the final
  // check) must not ask twice.
  if (WantRetryVerify(ssl)) return 1;
  switch (Decide(context->verify_cb, connection->verify_retries + 1)) {
    case Answer::kRetry:
      ++connection->verify_retries;
      return SetRetryVerify(ssl) ? 1 : 0;
    case Answer::kContinue:
      return context->verify_cb.accept_all ? 1 : preverify_ok;
    case Answer::kFail:
      X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
      return 0;
  }
  return 0;
}

// SSL_CTX_set_tlsext_servername_callback: switches to the sni_certs leaf
// named for the client's SNI, or answers as `servername` says.
int OnServername(SSL* ssl, int* ad, void* arg) {
  const auto* context = static_cast<const ContextState*>(arg);
  ConnectionState* connection = ConnectionOf(ssl);
  if (connection != nullptr) ++connection->counts.servername;
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name != nullptr) {
    auto other = context->sni_contexts.find(name);
    if (other != context->sni_contexts.end()) {
      if (SwitchContext(ssl, other->second.get())) return SSL_TLSEXT_ERR_OK;
      *ad = SSL_AD_INTERNAL_ERROR;
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    auto it = context->sni_certs.find(name);
    if (it != context->sni_certs.end()) {
      if (Present(ssl, it->second)) return SSL_TLSEXT_ERR_OK;
      *ad = SSL_AD_INTERNAL_ERROR;
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
  }
  switch (context->servername) {
    case ServernameAction::kNone:
    case ServernameAction::kOk:
      return SSL_TLSEXT_ERR_OK;
    case ServernameAction::kNoAck:
      return SSL_TLSEXT_ERR_NOACK;
    case ServernameAction::kAlertWarning:
      *ad = SSL_AD_UNRECOGNIZED_NAME;
      return SSL_TLSEXT_ERR_ALERT_WARNING;
    case ServernameAction::kAlertFatal:
      *ad = SSL_AD_UNRECOGNIZED_NAME;
      return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

// A session ticket key callback (SetTicketKeyCallback) that cannot encrypt (-1)
// and knows no key to decrypt with (0: the ticket is not used).
int OnTicketKey(SSL* ssl, unsigned char* /*key_name*/, unsigned char* /*iv*/,
                EVP_CIPHER_CTX* /*cipher*/, TicketMacCtx* /*mac*/, int enc) {
  ConnectionState* connection = ConnectionOf(ssl);
  if (connection != nullptr) ++connection->counts.ticket_key;
  return enc != 0 ? -1 : 0;
}

// SSL_CTX_set_keylog_callback.
void OnKeylog(const SSL* ssl, const char* line) {
  const ContextState* context = ContextOf(ssl);
  if (context != nullptr && context->keylog) context->keylog(ssl, line);
}

// Server: the session about to be sealed into a ticket gets the configured
// time. 0 would be a fatal internal_error.
int OnGenerateTicket(SSL* ssl, void* arg) {
  const auto* context = static_cast<const ContextState*>(arg);
  SSL_SESSION* session = SSL_get_session(ssl);
  // A stateful TLS 1.3 ticket (no stateless tickets, or early data with
  // anti-replay, as OpenSSL decides) is only a session ID: no time goes on
  // the wire, and the session stays in the server's cache, where OpenSSL
  // checks its time against the wall clock. Leave it alone.
  bool stateful = SSL_version(ssl) == TLS1_3_VERSION &&
                  ((SSL_get_options(ssl) & SSL_OP_NO_TICKET) != 0 ||
                   (SSL_get_max_early_data(ssl) > 0 &&
                    (SSL_get_options(ssl) & SSL_OP_NO_ANTI_REPLAY) == 0));
  if (session != nullptr && !stateful) {
    // Under the scenario clock, the time it has now (the ticket's issue
    // time); that is session_time until a step moves the clock.
    SetSessionTime(session, ScenarioNow().value_or(context->session_time));
  }
  return 1;
}

// Server: a ticket that decrypted is treated as issued now, whatever time
// was sealed into it; every status keeps OpenSSL's default decision
// (SSL_CTX_set_session_ticket_cb(3)).
SSL_TICKET_RETURN OnDecryptTicket(SSL* /*ssl*/, SSL_SESSION* session,
                                  const unsigned char* /*keyname*/,
                                  size_t /*keyname_length*/,
                                  SSL_TICKET_STATUS status, void* /*arg*/) {
  // Under the scenario clock the sealed time stays: OpenSSL measures the
  // ticket's age from it on the same clock.
  const bool scenario_clock = ScenarioNow().has_value();
  switch (status) {
    case SSL_TICKET_SUCCESS:
      if (!scenario_clock) {
        SetSessionTime(session, std::time(nullptr));
      }
      return SSL_TICKET_RETURN_USE;
    case SSL_TICKET_SUCCESS_RENEW:
      if (!scenario_clock) {
        SetSessionTime(session, std::time(nullptr));
      }
      return SSL_TICKET_RETURN_USE_RENEW;
    case SSL_TICKET_FATAL_ERR_MALLOC:
    case SSL_TICKET_FATAL_ERR_OTHER:
      return SSL_TICKET_RETURN_ABORT;
    default:  // no ticket, or one that does not decrypt
      return SSL_TICKET_RETURN_IGNORE_RENEW;
  }
}

// Client: offers the configured external PSK (TLS 1.2 PSK suites, and TLS
// 1.3 where OpenSSL uses this callback when no session callback is set).
unsigned int OnPskClient(SSL* ssl, const char* /*hint*/, char* identity,
                         unsigned int max_identity_len, unsigned char* psk,
                         unsigned int max_psk_len) {
  const ContextState* context = ContextOf(ssl);
  if (context == nullptr ||
      context->psk_identity.size() + 1 > max_identity_len ||
      context->psk_key.size() > max_psk_len) {
    return 0;
  }
  std::memcpy(identity, context->psk_identity.c_str(),
              context->psk_identity.size() + 1);
  std::memcpy(psk, context->psk_key.data(), context->psk_key.size());
  return static_cast<unsigned int>(context->psk_key.size());
}

// Server: the key for the configured identity; an unknown identity gets
// none, which OpenSSL answers with unknown_psk_identity (TLS 1.2) or a full
// handshake (TLS 1.3).
unsigned int OnPskServer(SSL* ssl, const char* identity, unsigned char* psk,
                         unsigned int max_psk_len) {
  const ContextState* context = ContextOf(ssl);
  if (context == nullptr || identity == nullptr ||
      context->psk_identity != identity ||
      context->psk_key.size() > max_psk_len) {
    return 0;
  }
  std::memcpy(psk, context->psk_key.data(), context->psk_key.size());
  return static_cast<unsigned int>(context->psk_key.size());
}

// Refuses what the OpenSSL tlsim is built against cannot do (1.1.1 lacks
// 3.0's SSL_set_retry_verify, SSL_OP_IGNORE_UNEXPECTED_EOF,
// SSL_OP_NO_EXTENDED_MASTER_SECRET and SSL_OP_DISABLE_TLSEXT_CA_NAMES),
// naming the version. Returns false and
// fills *out_error for the first one.
bool CheckVersion(const EndpointConfig& config, ConfigError* out_error) {
  auto refuse = [&](std::string field, std::string what) {
    *out_error = ConfigError{
        std::move(field), "OpenSSL " + std::string(kBuiltSeries) + " has no " +
                              what + " (OpenSSL 3.0 and later)"};
    return false;
  };
  if (config.verify_cb.enabled && config.verify_cb.retries > 0 &&
      !kHasRetryVerify) {
    return refuse("verify_cb",
                  "SSL_set_retry_verify: a verify callback "
                  "cannot ask for a retry");
  }
  if (config.ignore_unexpected_eof && kOpIgnoreUnexpectedEof == 0) {
    return refuse("options", "SSL_OP_IGNORE_UNEXPECTED_EOF");
  }
  if (config.no_extended_master_secret && kOpNoExtendedMasterSecret == 0) {
    return refuse("options", "SSL_OP_NO_EXTENDED_MASTER_SECRET");
  }
  if (config.no_ca_names && kOpNoCaNames == 0) {
    return refuse("options", "SSL_OP_DISABLE_TLSEXT_CA_NAMES");
  }
  return true;
}

// Refuses combinations of settings that OpenSSL would accept but that make
// no sense. Which side takes each setting and the range of each value are
// the scenario language's rules (lib/scenario/settings.h): the parser
// enforces them, they are not checked again here. Returns false and fills
// *out_error for the first one.
bool CheckCombinations(const EndpointConfig& config, ConfigError* out_error) {
  auto refuse = [&](std::string field, std::string message) {
    *out_error = ConfigError{std::move(field), std::move(message)};
    return false;
  };
  const bool server = config.is_server;
  if (config.client_cert_cb.enabled && config.cert.empty() &&
      !config.client_cert_cb.then_fail) {
    return refuse("client_cert_cb", "needs a cert to hand over");
  }
  if (config.verify_cb.enabled && server &&
      config.verify == VerifyMode::kNone) {
    return refuse("verify_cb", "a server calls it only with verify on");
  }
  if (config.verify_cb.enabled && server && config.verify_cb.retries > 0) {
    // Observed: the server's handshake goes on as if it had not asked.
    return refuse("verify_cb",
                  "a server cannot ask for a retry: OpenSSL 3.0 ignores "
                  "SSL_set_retry_verify there");
  }
  if (config.allow_client_renegotiation && config.no_renegotiation) {
    return refuse("options",
                  "allow_client_renegotiation contradicts no_renegotiation");
  }
  if (config.session_time != 0 && !server) {
    return refuse("session_time", "only a server seals session tickets");
  }
  return CheckVersion(config, out_error);
}

// The SSL_OP_ and SSL_MODE_ bits `config`'s switches set and clear.
struct OptionBits {
  uint64_t set = 0;
  uint64_t clear = 0;
  long modes_set = 0;
  long modes_clear = 0;
};
OptionBits BitsOf(const EndpointConfig& config) {
  OptionBits b;
  if (config.ignore_unexpected_eof) b.set |= kOpIgnoreUnexpectedEof;
  if (config.allow_no_dhe_kex) b.set |= SSL_OP_ALLOW_NO_DHE_KEX;
  if (config.no_anti_replay) b.set |= SSL_OP_NO_ANTI_REPLAY;
  if (config.no_renegotiation) b.set |= SSL_OP_NO_RENEGOTIATION;
  // 0 on 1.1.1, whose servers accept a client's renegotiation by default.
  if (config.allow_client_renegotiation) b.set |= kOpAllowClientRenegotiation;
  if (config.no_extended_master_secret) b.set |= kOpNoExtendedMasterSecret;
  if (config.no_ca_names) b.set |= kOpNoCaNames;
  b.set |= config.extra_options;
  if (!config.middlebox_compat) b.clear |= SSL_OP_ENABLE_MIDDLEBOX_COMPAT;
  if (config.partial_write) b.modes_set |= SSL_MODE_ENABLE_PARTIAL_WRITE;
  if (config.moving_write_buffer) {
    b.modes_set |= SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
  }
  if (!config.auto_retry) b.modes_clear |= SSL_MODE_AUTO_RETRY;
  return b;
}

// The CA names of `names` (Pki certificates' subjects), or nullptr with
// *out_error when one is missing.
STACK_OF(X509_NAME) * CaNames(const Pki& pki,
                              const std::vector<std::string>& names,
                              ConfigError* out_error) {
  STACK_OF(X509_NAME)* list = sk_X509_NAME_new_null();
  if (list == nullptr) return Refuse(out_error, "ca_names", Refused("stack"));
  for (const std::string& name : names) {
    const Issued* issued = pki.Find(name);
    X509_NAME* subject =
        issued == nullptr
            ? nullptr
            : X509_NAME_dup(X509_get_subject_name(issued->cert.get()));
    if (subject == nullptr || sk_X509_NAME_push(list, subject) == 0) {
      X509_NAME_free(subject);
      sk_X509_NAME_pop_free(list, X509_NAME_free);
      return Refuse(out_error, "ca_names",
                    "no certificate named '" + name + "'");
    }
  }
  return list;
}

// RFC 6066 4 code for a maximum fragment length; 0 for other lengths.
uint8_t MaxFragmentLengthCode(int length) {
  switch (length) {
    case 512:
      return TLSEXT_max_fragment_length_512;
    case 1024:
      return TLSEXT_max_fragment_length_1024;
    case 2048:
      return TLSEXT_max_fragment_length_2048;
    case 4096:
      return TLSEXT_max_fragment_length_4096;
    default:
      return 0;
  }
}

}  // namespace

SslCtxPtr MakeContext(LibCtx* libctx, const EndpointConfig& config,
                      const Pki& pki, ConfigError* out_error) {
  if (!CheckCombinations(config, out_error)) return nullptr;
  SslCtxPtr ctx = NewSslContext(libctx, TLS_method());
  if (ctx == nullptr) {
    return Refuse(out_error, "context", Refused("TLS_method"));
  }

  if (config.min_version != 0 &&
      SSL_CTX_set_min_proto_version(ctx.get(), config.min_version) != 1) {
    return Refuse(out_error, "versions",
                  Refused("min_version " + Hex(config.min_version)));
  }
  if (config.max_version != 0 &&
      SSL_CTX_set_max_proto_version(ctx.get(), config.max_version) != 1) {
    return Refuse(out_error, "versions",
                  Refused("max_version " + Hex(config.max_version)));
  }
  // At the default security level (2 in Debian's build) TLS 1.0 and 1.1
  // cannot be negotiated: their SHA-1 signatures are refused. Set before the
  // cipher list, so an explicit @SECLEVEL there still wins.
  if (config.min_version != 0 && config.min_version < TLS1_2_VERSION) {
    SSL_CTX_set_security_level(ctx.get(), 0);
  }
  if (config.security_level >= 0) {
    SSL_CTX_set_security_level(ctx.get(), config.security_level);
  }
  if (config.ciphersuites &&
      SSL_CTX_set_ciphersuites(ctx.get(), config.ciphersuites->c_str()) != 1) {
    return Refuse(out_error, "ciphersuites", Refused(*config.ciphersuites));
  }
  if (config.cipher_list &&
      SSL_CTX_set_cipher_list(ctx.get(), config.cipher_list->c_str()) != 1) {
    return Refuse(out_error, "ciphers", Refused(*config.cipher_list));
  }
  if (config.groups &&
      SSL_CTX_set1_groups_list(ctx.get(), config.groups->c_str()) != 1) {
    return Refuse(out_error, "groups", Refused(*config.groups));
  }
  if (config.sigalgs &&
      SSL_CTX_set1_sigalgs_list(ctx.get(), config.sigalgs->c_str()) != 1) {
    return Refuse(out_error, "sigalgs", Refused(*config.sigalgs));
  }

  int mode = SSL_VERIFY_NONE;
  switch (config.verify) {
    case VerifyMode::kNone:
      mode = SSL_VERIFY_NONE;
      break;
    case VerifyMode::kPeer:
      mode = SSL_VERIFY_PEER;
      break;
    case VerifyMode::kRequire:
      mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      break;
  }
  if (config.verify_post_handshake) {
    if (!config.is_server || config.verify == VerifyMode::kNone) {
      return Refuse(out_error, "options",
                    "verify_post_handshake: only a server that verifies "
                    "(verify = peer or require) asks after the handshake");
    }
    mode |= SSL_VERIFY_POST_HANDSHAKE;
  }
  SSL_CTX_set_verify(ctx.get(), mode,
                     config.verify_cb.enabled ? OnVerify : nullptr);

  if (!config.trust.empty()) {
    X509StorePtr store(X509_STORE_new());
    if (store == nullptr) return Refuse(out_error, "trust", Refused("store"));
    for (const std::string& name : config.trust) {
      const Issued* issued = pki.Find(name);
      if (issued == nullptr) {
        return Refuse(out_error, "trust",
                      "no certificate named '" + name + "'");
      }
      if (X509_STORE_add_cert(store.get(), issued->cert.get()) != 1) {
        return Refuse(out_error, "trust", Refused(name));
      }
      if (config.is_server && config.verify != VerifyMode::kNone &&
          SSL_CTX_add_client_CA(ctx.get(), issued->cert.get()) != 1) {
        return Refuse(out_error, "trust", Refused(name));
      }
    }
    SSL_CTX_set_cert_store(ctx.get(), store.release());  // ctx owns it now
  }
  if (!config.ca_names.empty()) {
    STACK_OF(X509_NAME)* names = CaNames(pki, config.ca_names, out_error);
    if (names == nullptr) return nullptr;
    // Both take ownership. A server's list replaces the `trust` names.
    if (config.is_server) {
      SSL_CTX_set_client_CA_list(ctx.get(), names);
    } else {
      SSL_CTX_set0_CA_list(ctx.get(), names);
    }
  }
  if (config.client_sigalgs &&
      SSL_CTX_set1_client_sigalgs_list(ctx.get(),
                                       config.client_sigalgs->c_str()) != 1) {
    return Refuse(out_error, "client_sigalgs", Refused(*config.client_sigalgs));
  }

  auto state = std::make_unique<ContextState>();
  if (!config.cert.empty() && config.client_cert_cb.enabled) {
    // OpenSSL calls the client_cert_cb only when the context has no
    // certificate: the callback hands this one over.
    if (config.cert.size() != 1) {
      return Refuse(out_error, "cert",
                    "client_cert_cb hands over one certificate, not " +
                        std::to_string(config.cert.size()));
    }
    if (!FindCredential(pki, config.cert.front(), &state->client_cert)) {
      return Refuse(out_error, "cert",
                    "no certificate named '" + config.cert.front() + "'");
    }
  } else {
    // Each certificate goes into its key type's slot; the chain added after
    // it belongs to that slot.
    std::map<int, std::string> slots;  // EVP_PKEY base id -> name
    for (const std::string& name : config.cert) {
      const Issued* issued = pki.Find(name);
      if (issued == nullptr) {
        return Refuse(out_error, "cert", "no certificate named '" + name + "'");
      }
      auto [taken, fresh] = slots.emplace(KeyBaseId(issued->key.get()), name);
      if (!fresh) {
        return Refuse(out_error, "cert",
                      "'" + name + "' and '" + taken->second +
                          "' both use one certificate slot");
      }
      if (SSL_CTX_use_certificate(ctx.get(), issued->cert.get()) != 1 ||
          SSL_CTX_use_PrivateKey(ctx.get(), issued->key.get()) != 1 ||
          SSL_CTX_check_private_key(ctx.get()) != 1) {
        return Refuse(out_error, "cert", Refused(name));
      }
      for (X509* ca : pki.Intermediates(name)) {
        if (SSL_CTX_add1_chain_cert(ctx.get(), ca) != 1) {
          return Refuse(out_error, "cert", Refused(name));
        }
      }
    }
  }

  if (!config.alpn.empty() || config.alpn_empty) {
    std::string wire;
    std::string message;
    if (!AlpnWireFormat(config.alpn, &wire, &message)) {
      return Refuse(out_error, "alpn", message);
    }
    if (!config.is_server) {
      // Unlike most setters, 0 means success here.
      if (SSL_CTX_set_alpn_protos(
              ctx.get(), reinterpret_cast<const unsigned char*>(wire.data()),
              static_cast<unsigned int>(wire.size())) != 0) {
        return Refuse(out_error, "alpn", Refused("alpn"));
      }
    } else {
      const int index = AlpnExDataIndex();
      auto owned = std::make_unique<std::string>(std::move(wire));
      if (index < 0 ||
          SSL_CTX_set_ex_data(ctx.get(), index, owned.get()) != 1) {
        return Refuse(out_error, "alpn", Refused("alpn"));
      }
      std::string* server_list = owned.release();  // ctx's ex_data owns it
      SSL_CTX_set_alpn_select_cb(ctx.get(), SelectAlpn, server_list);
    }
  } else if (config.is_server && config.alpn_per_connection) {
    SSL_CTX_set_alpn_select_cb(ctx.get(), SelectAlpn, nullptr);
  }

  if (!config.session_cache) {
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  }
  if (!config.tickets) SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);

  for (const auto& [host, leaf] : config.sni_certs) {
    if (!FindCredential(pki, leaf, &state->sni_certs[host])) {
      return Refuse(out_error, "sni_certs",
                    "no certificate named '" + leaf + "' (for '" + host + "')");
    }
  }
  for (const auto& [host, other] : config.sni_contexts) {
    SSL_CTX_up_ref(other);
    state->sni_contexts[host].reset(other);
  }
  for (const auto& [host, other] : config.hello_contexts) {
    SSL_CTX_up_ref(other);
    state->hello_contexts[host].reset(other);
  }
  state->hello_reject_mismatch = config.hello_reject_mismatch;
  state->hello_min_version = config.hello_min_version;
  state->hello_max_version = config.hello_max_version;
  state->hello_alert = config.hello_alert;
  const bool hello_actions =
      !config.hello_contexts.empty() || config.hello_reject_mismatch ||
      config.hello_max_version != 0 || config.hello_alert >= 0;
  state->client_hello_cb = config.client_hello_cb;
  state->cert_cb = config.cert_cb;
  state->client_cert_cb = config.client_cert_cb;
  state->verify_cb = config.verify_cb;
  state->servername = config.servername;
  state->keylog = config.keylog;
  state->session_time = config.session_time;
  state->psk_identity = config.psk_identity;
  if (!config.psk_key_hex.empty()) {
    long length = 0;
    unsigned char* key =
        OPENSSL_hexstr2buf(config.psk_key_hex.c_str(), &length);
    if (key == nullptr || length <= 0 ||
        static_cast<size_t>(length) > PSK_MAX_PSK_LEN) {
      OPENSSL_free(key);
      ERR_clear_error();
      return Refuse(
          out_error, "psk_key",
          "expected 1 to " + std::to_string(PSK_MAX_PSK_LEN) + " bytes in hex");
    }
    state->psk_key.assign(key, key + length);
    OPENSSL_free(key);
  }
  if (config.psk_identity.empty() != config.psk_key_hex.empty()) {
    return Refuse(out_error,
                  config.psk_identity.empty() ? "psk_key" : "psk_identity",
                  "psk_identity and psk_key go together");
  }
  const int state_index = ContextStateIndex();
  if (state_index < 0 ||
      SSL_CTX_set_ex_data(ctx.get(), state_index, state.get()) != 1) {
    return Refuse(out_error, "context", Refused("ex_data"));
  }
  ContextState* callbacks = state.release();  // ctx's ex_data owns it

  if (config.client_hello_cb.enabled || hello_actions) {
    SSL_CTX_set_client_hello_cb(ctx.get(), OnClientHello, callbacks);
  }
  if (config.cert_cb.enabled) {
    SSL_CTX_set_cert_cb(ctx.get(), OnCert, callbacks);
  }
  if (config.client_cert_cb.enabled) {
    SSL_CTX_set_client_cert_cb(ctx.get(), OnClientCert);
  }
  if (config.servername != ServernameAction::kNone ||
      !config.sni_certs.empty() || !config.sni_contexts.empty()) {
    SSL_CTX_set_tlsext_servername_callback(ctx.get(), OnServername);
    SSL_CTX_set_tlsext_servername_arg(ctx.get(), callbacks);
  }
  if (config.ticket_key_fail && !SetTicketKeyCallback(ctx.get(), OnTicketKey)) {
    return Refuse(out_error, "ticket_key_cb", Refused("ticket_key_cb"));
  }
  if (config.keylog) SSL_CTX_set_keylog_callback(ctx.get(), OnKeylog);
  if (!config.psk_identity.empty()) {
    if (config.is_server) {
      SSL_CTX_set_psk_server_callback(ctx.get(), OnPskServer);
    } else {
      SSL_CTX_set_psk_client_callback(ctx.get(), OnPskClient);
    }
  }
  if (config.session_time != 0 &&
      SSL_CTX_set_session_ticket_cb(ctx.get(), OnGenerateTicket,
                                    OnDecryptTicket, callbacks) != 1) {
    return Refuse(out_error, "session_time", Refused("session_ticket_cb"));
  }

  const OptionBits bits = BitsOf(config);
  if (bits.set != 0) SSL_CTX_set_options(ctx.get(), bits.set);
  if (bits.clear != 0) SSL_CTX_clear_options(ctx.get(), bits.clear);
  if (bits.modes_set != 0) SSL_CTX_set_mode(ctx.get(), bits.modes_set);
  if (bits.modes_clear != 0) SSL_CTX_clear_mode(ctx.get(), bits.modes_clear);

  if (config.num_tickets >= 0 &&
      SSL_CTX_set_num_tickets(ctx.get(),
                              static_cast<size_t>(config.num_tickets)) != 1) {
    return Refuse(out_error, "num_tickets",
                  Refused(std::to_string(config.num_tickets)));
  }
  if (config.max_early_data > 0 &&
      SSL_CTX_set_max_early_data(ctx.get(), config.max_early_data) != 1) {
    return Refuse(out_error, "max_early_data",
                  Refused(std::to_string(config.max_early_data)));
  }
  if (config.max_fragment_length != 0) {
    // 0 for a length RFC 6066 has no code for, which OpenSSL refuses.
    const uint8_t code = MaxFragmentLengthCode(config.max_fragment_length);
    if (code == 0 ||
        SSL_CTX_set_tlsext_max_fragment_length(ctx.get(), code) != 1) {
      return Refuse(out_error, "max_fragment_length",
                    Refused(std::to_string(config.max_fragment_length)));
    }
  }
  if (config.max_send_fragment > 0 &&
      SSL_CTX_set_max_send_fragment(ctx.get(), config.max_send_fragment) != 1) {
    return Refuse(out_error, "max_send_fragment",
                  Refused(std::to_string(config.max_send_fragment)));
  }
  if (config.dh_auto && SSL_CTX_set_dh_auto(ctx.get(), 1) != 1) {
    return Refuse(out_error, "dh_auto", Refused("dh_auto"));
  }
  return ctx;
}

SslPtr MakeSsl(SSL_CTX* ctx, const EndpointConfig& config,
               ConfigError* out_error) {
  SslPtr ssl(SSL_new(ctx));
  if (ssl == nullptr) return Refuse(out_error, "ssl", Refused("SSL_new"));
  if (ConnectionOf(ssl.get()) == nullptr) {
    return Refuse(out_error, "ssl", Refused("ex_data"));
  }
  if (config.is_server) return ssl;
  if (config.post_handshake_auth) SSL_set_post_handshake_auth(ssl.get(), 1);
  if (!config.server_name.empty() &&
      SSL_set_tlsext_host_name(ssl.get(), config.server_name.c_str()) != 1) {
    return Refuse(out_error, "server_name", Refused(config.server_name));
  }
  if (!config.verify_host.empty() &&
      !SetVerifyHost(ssl.get(), config.verify_host.c_str())) {
    return Refuse(out_error, "verify_host", Refused(config.verify_host));
  }
  return ssl;
}

bool ApplyToSsl(SSL* ssl, const std::string& field,
                const EndpointConfig& config, const Pki& pki,
                ConfigError* out_error) {
  auto refused = [&](const std::string& value) {
    *out_error = ConfigError{field, Refused(value)};
    return false;
  };
  auto text = [&](int (*set)(SSL*, const char*), const std::string& value) {
    return set(ssl, value.c_str()) == 1 || refused(value);
  };
  if (field == "versions") {
    if (SSL_set_min_proto_version(ssl, config.min_version) != 1) {
      return refused("min_version " + Hex(config.min_version));
    }
    if (SSL_set_max_proto_version(ssl, config.max_version) != 1) {
      return refused("max_version " + Hex(config.max_version));
    }
    return true;
  }
  // An empty list is passed on too: OpenSSL decides what it means.
  if (field == "ciphersuites") {
    return text(SSL_set_ciphersuites, config.ciphersuites.value_or(""));
  }
  if (field == "ciphers") {
    return text(SSL_set_cipher_list, config.cipher_list.value_or(""));
  }
  if (field == "groups") {
    const std::string groups = config.groups.value_or("");
    return SSL_set1_groups_list(ssl, groups.c_str()) == 1 || refused(groups);
  }
  if (field == "sigalgs") {
    const std::string sigalgs = config.sigalgs.value_or("");
    return SSL_set1_sigalgs_list(ssl, sigalgs.c_str()) == 1 || refused(sigalgs);
  }
  if (field == "client_sigalgs") {
    const std::string sigalgs = config.client_sigalgs.value_or("");
    return SSL_set1_client_sigalgs_list(ssl, sigalgs.c_str()) == 1 ||
           refused(sigalgs);
  }
  if (field == "options" && !CheckVersion(config, out_error)) return false;
  if (field == "verify" || field == "options") {
    int mode = SSL_VERIFY_NONE;
    if (field == "verify") {
      mode = config.verify == VerifyMode::kNone ? SSL_VERIFY_NONE
             : config.verify == VerifyMode::kPeer
                 ? SSL_VERIFY_PEER
                 : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    } else {
      mode = SSL_get_verify_mode(ssl);
      const OptionBits bits = BitsOf(config);
      if (bits.set != 0) SSL_set_options(ssl, bits.set);
      if (bits.clear != 0) SSL_clear_options(ssl, bits.clear);
      if (bits.modes_set != 0) SSL_set_mode(ssl, bits.modes_set);
      if (bits.modes_clear != 0) SSL_clear_mode(ssl, bits.modes_clear);
      if (config.post_handshake_auth) SSL_set_post_handshake_auth(ssl, 1);
      if (config.verify_post_handshake) mode |= SSL_VERIFY_POST_HANDSHAKE;
    }
    SSL_set_verify(ssl, mode, SSL_get_verify_callback(ssl));
    return true;
  }
  if (field == "cert") {
    // Every certificate named, each in its key type's slot, as in a block.
    SSL_certs_clear(ssl);
    for (const std::string& name : config.cert) {
      Credential credential;
      if (!FindCredential(pki, name, &credential)) {
        *out_error = {field, "no certificate named '" + name + "'"};
        return false;
      }
      if (SSL_use_certificate(ssl, credential.cert.get()) != 1 ||
          SSL_use_PrivateKey(ssl, credential.key.get()) != 1) {
        return refused(name);
      }
      for (const X509Ptr& ca : credential.chain) {
        if (SSL_add1_chain_cert(ssl, ca.get()) != 1) return refused(name);
      }
    }
    return true;
  }
  if (field == "server_name") {
    return SSL_set_tlsext_host_name(ssl, config.server_name.c_str()) == 1 ||
           refused(config.server_name);
  }
  if (field == "verify_host") {
    return SetVerifyHost(ssl, config.verify_host.c_str()) ||
           refused(config.verify_host);
  }
  if (field == "alpn") {
    std::string wire;
    std::string message;
    if (!AlpnWireFormat(config.alpn, &wire, &message)) {
      *out_error = {field, message};
      return false;
    }
    if (!SSL_is_server(ssl)) {
      // 0 means success here.
      return SSL_set_alpn_protos(
                 ssl, reinterpret_cast<const unsigned char*>(wire.data()),
                 static_cast<unsigned int>(wire.size())) == 0 ||
             refused("alpn");
    }
    ConnectionState* state = ConnectionOf(ssl);
    if (state == nullptr) return refused("alpn");
    state->alpn = std::make_unique<std::string>(std::move(wire));
    return true;
  }
  if (field == "ca_names") {
    STACK_OF(X509_NAME)* names = CaNames(pki, config.ca_names, out_error);
    if (names == nullptr) return false;
    if (SSL_is_server(ssl)) {
      SSL_set_client_CA_list(ssl, names);
    } else {
      SSL_set0_CA_list(ssl, names);
    }
    return true;
  }
  if (field == "tickets") {
    if (config.tickets) {
      SSL_clear_options(ssl, SSL_OP_NO_TICKET);
    } else {
      SSL_set_options(ssl, SSL_OP_NO_TICKET);
    }
    return true;
  }
  if (field == "num_tickets") {
    return SSL_set_num_tickets(ssl, static_cast<size_t>(config.num_tickets)) ==
               1 ||
           refused(std::to_string(config.num_tickets));
  }
  if (field == "max_early_data") {
    return SSL_set_max_early_data(ssl, config.max_early_data) == 1 ||
           refused(std::to_string(config.max_early_data));
  }
  if (field == "max_fragment_length") {
    const uint8_t code = MaxFragmentLengthCode(config.max_fragment_length);
    return (code != 0 && SSL_set_tlsext_max_fragment_length(ssl, code) == 1) ||
           refused(std::to_string(config.max_fragment_length));
  }
  if (field == "max_send_fragment") {
    return SSL_set_max_send_fragment(ssl, config.max_send_fragment) == 1 ||
           refused(std::to_string(config.max_send_fragment));
  }
  if (field == "security_level") {
    SSL_set_security_level(ssl, config.security_level);
    return true;
  }
  *out_error = {field, "has no SSL form: OpenSSL keeps it in the SSL_CTX"};
  return false;
}

const CallbackCounts* GetCallbackCounts(const SSL* ssl) {
  const auto* state = static_cast<const ConnectionState*>(
      SSL_get_ex_data(ssl, ConnectionStateIndex()));
  return state != nullptr ? &state->counts : nullptr;
}

}  // namespace tlsim::tls

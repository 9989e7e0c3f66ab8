// One side's TLS settings, turned into an SSL_CTX and an SSL.
//
//   tls::EndpointConfig cfg;
//   cfg.is_server = true;
//   cfg.cert = "server.test";
//   tls::ConfigError err;
//   tls::SslCtxPtr ctx = tls::MakeContext(libctx, cfg, pki, &err);
//   tls::SslPtr ssl = tls::MakeSsl(ctx.get(), cfg, &err);
#pragma once

#include <string>
#include <vector>

#include "lib/tls/handles.h"
#include "lib/tls/pki.h"

namespace tlsim::tls {

enum class VerifyMode { kNone, kPeer, kRequire };

// Every member has a default that leaves OpenSSL's own default in place
// (empty string / 0 = not set).
struct EndpointConfig {
  bool is_server = false;
  int min_version = 0;  // TLS1_2_VERSION, ...; 0: OpenSSL's default
  int max_version = 0;
  std::string ciphersuites;  // SSL_CTX_set_ciphersuites
  std::string cipher_list;   // SSL_CTX_set_cipher_list
  std::string groups;        // SSL_CTX_set1_groups_list
  std::string sigalgs;       // SSL_CTX_set1_sigalgs_list
  VerifyMode verify = VerifyMode::kNone;
  std::vector<std::string> trust;  // names of Pki certs to trust
  std::string cert;                // name of the Pki leaf to present
  std::string server_name;         // client: SNI (SSL_set_tlsext_host_name)
  std::string verify_host;         // client: SSL_set1_host
  // Client: protocols offered. Server: protocols accepted, in preference
  // order; a client offering none of them gets a no_application_protocol
  // alert (RFC 7301 3.2).
  std::vector<std::string> alpn;
  bool session_cache = true;  // false: SSL_SESS_CACHE_OFF
  bool tickets = true;        // false: SSL_OP_NO_TICKET
};

// Which setting OpenSSL refused, and why (the OpenSSL reason when it gives
// one). `field` is the scenario's name for it ("ciphers", "groups", ...).
struct ConfigError {
  std::string field;
  std::string message;
};

// Builds the context from a per-run library context. Returns nullptr and
// fills out_error when OpenSSL refuses a setting or a named cert is missing.
[[nodiscard]] SslCtxPtr MakeContext(OSSL_LIB_CTX* libctx,
                                    const EndpointConfig& config,
                                    const Pki& pki, ConfigError* out_error);

// The per-connection object: SNI and host check for a client. Neither
// connect nor accept state is set: the scenario chooses.
[[nodiscard]] SslPtr MakeSsl(SSL_CTX* ctx, const EndpointConfig& config,
                             ConfigError* out_error);

}  // namespace tlsim::tls

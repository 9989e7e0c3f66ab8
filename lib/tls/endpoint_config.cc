#include "lib/tls/endpoint_config.h"

#include <openssl/err.h>

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

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

// Picks the first protocol of the server's list (`arg`, wire format) that the
// client offered; no overlap is fatal (no_application_protocol alert).
int SelectAlpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
               const unsigned char* in, unsigned int inlen, void* arg) {
  const auto* server = static_cast<const std::string*>(arg);
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

}  // namespace

SslCtxPtr MakeContext(OSSL_LIB_CTX* libctx, const EndpointConfig& config,
                      const Pki& pki, ConfigError* out_error) {
  SslCtxPtr ctx(SSL_CTX_new_ex(libctx, nullptr, TLS_method()));
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
  if (!config.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ctx.get(), config.ciphersuites.c_str()) != 1) {
    return Refuse(out_error, "ciphersuites", Refused(config.ciphersuites));
  }
  if (!config.cipher_list.empty() &&
      SSL_CTX_set_cipher_list(ctx.get(), config.cipher_list.c_str()) != 1) {
    return Refuse(out_error, "ciphers", Refused(config.cipher_list));
  }
  if (!config.groups.empty() &&
      SSL_CTX_set1_groups_list(ctx.get(), config.groups.c_str()) != 1) {
    return Refuse(out_error, "groups", Refused(config.groups));
  }
  if (!config.sigalgs.empty() &&
      SSL_CTX_set1_sigalgs_list(ctx.get(), config.sigalgs.c_str()) != 1) {
    return Refuse(out_error, "sigalgs", Refused(config.sigalgs));
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
  SSL_CTX_set_verify(ctx.get(), mode, nullptr);

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

  if (!config.cert.empty()) {
    const Issued* issued = pki.Find(config.cert);
    if (issued == nullptr) {
      return Refuse(out_error, "cert",
                    "no certificate named '" + config.cert + "'");
    }
    if (SSL_CTX_use_certificate(ctx.get(), issued->cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx.get(), issued->key.get()) != 1 ||
        SSL_CTX_check_private_key(ctx.get()) != 1) {
      return Refuse(out_error, "cert", Refused(config.cert));
    }
    for (X509* ca : pki.Intermediates(config.cert)) {
      if (SSL_CTX_add1_chain_cert(ctx.get(), ca) != 1) {
        return Refuse(out_error, "cert", Refused(config.cert));
      }
    }
  }

  if (!config.alpn.empty()) {
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
  }

  if (!config.session_cache) {
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  }
  if (!config.tickets) SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
  return ctx;
}

SslPtr MakeSsl(SSL_CTX* ctx, const EndpointConfig& config,
               ConfigError* out_error) {
  SslPtr ssl(SSL_new(ctx));
  if (ssl == nullptr) return Refuse(out_error, "ssl", Refused("SSL_new"));
  if (config.is_server) return ssl;
  if (!config.server_name.empty() &&
      SSL_set_tlsext_host_name(ssl.get(), config.server_name.c_str()) != 1) {
    return Refuse(out_error, "server_name", Refused(config.server_name));
  }
  if (!config.verify_host.empty() &&
      SSL_set1_host(ssl.get(), config.verify_host.c_str()) != 1) {
    return Refuse(out_error, "verify_host", Refused(config.verify_host));
  }
  return ssl;
}

}  // namespace tlsim::tls

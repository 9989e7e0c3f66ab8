// What differs between the OpenSSL series tlsim builds against (1.1.1, 3.0,
// 3.5, 3.6, 4.0), in one place: one function per difference, so the rest of
// tlsim calls these and never tests OPENSSL_VERSION_NUMBER itself.
//
//   int64_t issued = tls::SessionTime(session);   // any series
//   tls::SetSessionTime(session, now);
//   #if TLSIM_HAS_PROVIDERS   // a test of a 3.0-only mechanism
//
// One run's library state (OSSL_LIB_CTX on 3.x, tlsim's own on 1.1.1) is
// lib/tls/library.h's; what 1.1.1 lacks that a scenario asks for is refused
// where it is asked for (EndpointConfig, MakeKey), naming the version.
#pragma once

#include <arpa/inet.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/opensslv.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <strings.h>

#include <cstdint>
#include <string>

// 1 where OpenSSL has library contexts and providers (3.0 and later): tlsim's
// seeded randomness is then a provider of the run's library context (the
// tests of its internals need it); 0 on 1.1.1, where it is a process-wide
// RAND_METHOD that reads the run of the calling thread (library.h).
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#define TLSIM_HAS_PROVIDERS 1
#else
#define TLSIM_HAS_PROVIDERS 0
#endif

#if TLSIM_HAS_PROVIDERS
#include <openssl/core_names.h>
#endif

namespace tlsim::tls {

// The OpenSSL series the headers tlsim was compiled with belong to:
// "1.1.1", "3.0", ... (lib/proto/openssl_series.h spells them alike).
// tls::RunningSeries (version.h) says which one was loaded.
inline constexpr const char* kBuiltSeries =
#if OPENSSL_VERSION_NUMBER >= 0x40000000L
    "4.0";
#elif OPENSSL_VERSION_NUMBER >= 0x30600000L
    "3.6";
#elif OPENSSL_VERSION_NUMBER >= 0x30500000L
    "3.5";
#elif OPENSSL_VERSION_NUMBER >= 0x30000000L
    "3.0";
#else
    "1.1.1";
#endif

// True when built against OpenSSL 1.1.1 (no providers, no 3.0 API).
inline constexpr bool kIs111 = !TLSIM_HAS_PROVIDERS;

// A session's time, in seconds since the epoch. 3.3 deprecated the `long`
// accessors (not Y2038-safe) for the time_t ones.
inline int64_t SessionTime(const SSL_SESSION* session) {
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
  return static_cast<int64_t>(SSL_SESSION_get_time_ex(session));
#else
  return static_cast<int64_t>(SSL_SESSION_get_time(session));
#endif
}

// Sets a session's time. Returns false when OpenSSL refuses.
inline bool SetSessionTime(SSL_SESSION* session, int64_t seconds) {
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
  return SSL_SESSION_set_time_ex(session, static_cast<time_t>(seconds)) != 0;
#else
  return SSL_SESSION_set_time(session, static_cast<long>(seconds)) != 0;
#endif
}

// The version field of a v3 certificate (3.0 named it X509_VERSION_3).
inline constexpr long kX509Version3 = 2;

// The peer's certificate, borrowed (the SSL keeps it); nullptr without one.
// 1.1.1 has only the up-referencing SSL_get_peer_certificate.
inline X509* PeerCertificate(const SSL* ssl) {
#if TLSIM_HAS_PROVIDERS
  return SSL_get0_peer_certificate(ssl);
#else
  X509* cert = SSL_get_peer_certificate(ssl);
  X509_free(cert);  // the session still holds its reference
  return cert;
#endif
}

// Whether a queued error code is a system error (errno, from fopen or a
// socket call), whose reason is the errno. 3.0 marks them with a bit of
// their own (ERR_SYSTEM_ERROR); 1.1.1 files them under ERR_LIB_SYS.
inline bool IsSystemError(unsigned long code) {
#if TLSIM_HAS_PROVIDERS
  return ERR_SYSTEM_ERROR(code);
#else
  return ERR_GET_LIB(code) == ERR_LIB_SYS;
#endif
}

// SSL_ERROR_WANT_RETRY_VERIFY (3.0 and later), or -1, which no SSL_get_error
// returns, on 1.1.1 where a verify callback cannot ask to be called again.
inline constexpr int kErrorWantRetryVerify =
#ifdef SSL_ERROR_WANT_RETRY_VERIFY
    SSL_ERROR_WANT_RETRY_VERIFY;
#else
    -1;
#endif

// Whether this OpenSSL lets a verify callback ask to be called again
// (SSL_set_retry_verify, 3.0 and later).
inline constexpr bool kHasRetryVerify = TLSIM_HAS_PROVIDERS;

// SSL_set_retry_verify where it exists; false (not retried) on 1.1.1.
inline bool SetRetryVerify(SSL* ssl) {
#if TLSIM_HAS_PROVIDERS
  return SSL_set_retry_verify(ssl) != 0;
#else
  (void)ssl;
  return false;
#endif
}

// SSL_want_retry_verify where it exists; false on 1.1.1.
inline bool WantRetryVerify(const SSL* ssl) {
#if TLSIM_HAS_PROVIDERS
  return SSL_want_retry_verify(ssl) != 0;
#else
  (void)ssl;
  return false;
#endif
}

// SSL_OP_IGNORE_UNEXPECTED_EOF (3.0 and later): an EOF without close_notify
// is a clean end. 0 on 1.1.1, which always treats it as SSL_ERROR_SYSCALL
// with errno 0 (EndpointConfig refuses the setting there).
inline constexpr uint64_t kOpIgnoreUnexpectedEof =
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    SSL_OP_IGNORE_UNEXPECTED_EOF;
#else
    0;
#endif

// SSL_OP_ALLOW_CLIENT_RENEGOTIATION (3.0 and later): a server accepts a
// client's renegotiation. 0 on 1.1.1, whose servers accept it by default
// (unless SSL_OP_NO_RENEGOTIATION): the setting asks for what 1.1.1 does.
inline constexpr uint64_t kOpAllowClientRenegotiation =
#ifdef SSL_OP_ALLOW_CLIENT_RENEGOTIATION
    SSL_OP_ALLOW_CLIENT_RENEGOTIATION;
#else
    0;
#endif

// SSL_OP_NO_EXTENDED_MASTER_SECRET (3.0 and later). 0 on 1.1.1, which always
// offers and accepts RFC 7627's extension (EndpointConfig refuses the
// setting there).
inline constexpr uint64_t kOpNoExtendedMasterSecret =
#ifdef SSL_OP_NO_EXTENDED_MASTER_SECRET
    SSL_OP_NO_EXTENDED_MASTER_SECRET;
#else
    0;
#endif

// The MAC context a session ticket key callback fills: EVP_MAC_CTX since 3.0
// (SSL_CTX_set_tlsext_ticket_key_evp_cb), HMAC_CTX before
// (SSL_CTX_set_tlsext_ticket_key_cb).
#if TLSIM_HAS_PROVIDERS
using TicketMacCtx = EVP_MAC_CTX;
#else
using TicketMacCtx = HMAC_CTX;
#endif
using TicketKeyCallback = int (*)(SSL*, unsigned char* key_name,
                                  unsigned char* iv, EVP_CIPHER_CTX* cipher,
                                  TicketMacCtx* mac, int enc);

// Installs a session ticket key callback. Returns false when OpenSSL refuses.
inline bool SetTicketKeyCallback(SSL_CTX* ctx, TicketKeyCallback callback) {
#if TLSIM_HAS_PROVIDERS
  return SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, callback) == 1;
#else
  return SSL_CTX_set_tlsext_ticket_key_cb(ctx, callback) == 1;
#endif
}

// The group of the connection's key exchange as a NID (NID_X25519,
// NID_X9_62_prime256v1, ...), or 0 when there is none yet. 3.0 reads the
// session's group (call it only once the SSL has a session). 1.1.1 has no
// SSL_get_negotiated_group: the group of the ephemeral key, the peer's or
// our own, once one exists (after the key share was sent or read; not yet
// at a HelloRetryRequest), and 0 for a finite-field group.
inline int NegotiatedGroup(SSL* ssl) {
#if TLSIM_HAS_PROVIDERS
  return SSL_get_negotiated_group(ssl);
#else
  EVP_PKEY* key = nullptr;
  if (SSL_get_peer_tmp_key(ssl, &key) != 1 && SSL_get_tmp_key(ssl, &key) != 1) {
    ERR_clear_error();
    return 0;
  }
  int nid = 0;
  if (EVP_PKEY_id(key) == EVP_PKEY_EC) {
    const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key);
    const EC_GROUP* group = ec != nullptr ? EC_KEY_get0_group(ec) : nullptr;
    if (group != nullptr) nid = EC_GROUP_get_curve_name(group);
  } else if (EVP_PKEY_id(key) == EVP_PKEY_X25519 ||
             EVP_PKEY_id(key) == EVP_PKEY_X448) {
    nid = EVP_PKEY_id(key);
  }
  EVP_PKEY_free(key);
  return nid;
#endif
}

// The TLS name of a group NID ("x25519", "secp256r1", "ffdhe2048"), as
// SSL_group_to_name (3.0 and later) gives it; nullptr when it has none. 1.1.1
// has no SSL_group_to_name: its groups' names, as 3.0 spells them.
inline const char* GroupName(SSL* ssl, int nid) {
#if TLSIM_HAS_PROVIDERS
  return SSL_group_to_name(ssl, nid);
#else
  (void)ssl;
  static constexpr struct {
    int nid;
    const char* name;
  } kGroups[] = {{NID_X25519, "x25519"},
                 {NID_X448, "x448"},
                 {NID_X9_62_prime256v1, "secp256r1"},
                 {NID_secp384r1, "secp384r1"},
                 {NID_secp521r1, "secp521r1"},
                 {NID_ffdhe2048, "ffdhe2048"},
                 {NID_ffdhe3072, "ffdhe3072"},
                 {NID_ffdhe4096, "ffdhe4096"},
                 {NID_ffdhe6144, "ffdhe6144"},
                 {NID_ffdhe8192, "ffdhe8192"}};
  for (const auto& g : kGroups) {
    if (g.nid == nid) return g.name;
  }
  return nullptr;
#endif
}

// Puts an error of library `lib` with `reason` on the thread's queue
// (ERR_raise since 3.0, ERR_put_error before).
inline void RaiseError(int lib, int reason) {
#if TLSIM_HAS_PROVIDERS
  ERR_raise(lib, reason);
#else
  ERR_put_error(lib, 0, reason, __FILE__, __LINE__);
#endif
}

// SSL_OP_DISABLE_TLSEXT_CA_NAMES (3.0 and later). 0 on 1.1.1, which always
// sends the CA names it was given (EndpointConfig refuses the setting there).
inline constexpr uint64_t kOpNoCaNames =
#ifdef SSL_OP_DISABLE_TLSEXT_CA_NAMES
    SSL_OP_DISABLE_TLSEXT_CA_NAMES;
#else
    0;
#endif

// Whether two keys are the same public key (EVP_PKEY_eq since 3.0,
// EVP_PKEY_cmp before).
inline bool KeysEqual(const EVP_PKEY* a, const EVP_PKEY* b) {
#if TLSIM_HAS_PROVIDERS
  return EVP_PKEY_eq(a, b) == 1;
#else
  return EVP_PKEY_cmp(a, b) == 1;
#endif
}

// The digest an RSA-PSS key is restricted to, as this OpenSSL names it
// ("SHA2-256" on 3.x, "SHA256" on 1.1.1), or "" for an unrestricted key.
inline std::string RsaPssDigest(const EVP_PKEY* key) {
#if TLSIM_HAS_PROVIDERS
  char name[32] = {};
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_RSA_DIGEST, name,
                                     sizeof name, nullptr) != 1) {
    return "";
  }
  return name;
#else
  const RSA* rsa = EVP_PKEY_get0_RSA(const_cast<EVP_PKEY*>(key));
  const RSA_PSS_PARAMS* pss =
      rsa != nullptr ? RSA_get0_pss_params(rsa) : nullptr;
  if (pss == nullptr) return "";
  // A restriction without a hash algorithm is SHA-1's (RFC 4055).
  const int nid = pss->hashAlgorithm != nullptr
                      ? OBJ_obj2nid(pss->hashAlgorithm->algorithm)
                      : NID_sha1;
  const char* name = OBJ_nid2sn(nid);
  return name != nullptr ? name : "";
#endif
}

// A key's base type (EVP_PKEY_RSA, EVP_PKEY_EC, ...); 3.0 renamed the
// accessor.
inline int KeyBaseId(const EVP_PKEY* key) {
#if TLSIM_HAS_PROVIDERS
  return EVP_PKEY_get_base_id(key);
#else
  return EVP_PKEY_base_id(key);
#endif
}

// A key's size in bits; 3.0 renamed the accessor.
inline int KeyBits(const EVP_PKEY* key) {
#if TLSIM_HAS_PROVIDERS
  return EVP_PKEY_get_bits(key);
#else
  return EVP_PKEY_bits(key);
#endif
}

// Whether `key` is of the algorithm named (3.0's names, any case: "RSA",
// "RSA-PSS", "EC", "ED25519", "ED448", "X25519", "X448", "DSA", "DH").
// 1.1.1 has no EVP_PKEY_is_a: the names map to its key type NIDs.
inline bool KeyIs(const EVP_PKEY* key, const char* name) {
#if TLSIM_HAS_PROVIDERS
  return EVP_PKEY_is_a(key, name) == 1;
#else
  static constexpr struct {
    const char* name;
    int id;
  } kTypes[] = {{"RSA", EVP_PKEY_RSA},     {"RSA-PSS", EVP_PKEY_RSA_PSS},
                {"EC", EVP_PKEY_EC},       {"ED25519", EVP_PKEY_ED25519},
                {"ED448", EVP_PKEY_ED448}, {"X25519", EVP_PKEY_X25519},
                {"X448", EVP_PKEY_X448},   {"DSA", EVP_PKEY_DSA},
                {"DH", EVP_PKEY_DH}};
  for (const auto& t : kTypes) {
    if (strcasecmp(t.name, name) == 0) return EVP_PKEY_id(key) == t.id;
  }
  return false;
#endif
}

// OpenSSL's name of a key's type ("RSA", "EC", "ED25519", ...), or nullptr.
// 1.1.1: the short name of its NID ("rsaEncryption", "id-ecPublicKey").
inline const char* KeyTypeName(const EVP_PKEY* key) {
#if TLSIM_HAS_PROVIDERS
  return EVP_PKEY_get0_type_name(key);
#else
  return OBJ_nid2sn(EVP_PKEY_id(key));
#endif
}

// The group a key's parameters name ("prime256v1", "ffdhe2048"), or "".
// 1.1.1 has no key parameters by name: the curve of an EC key, the named
// group of a DH key (DH_get_nid).
inline std::string KeyGroupName(const EVP_PKEY* key) {
#if TLSIM_HAS_PROVIDERS
  char name[80] = {};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name,
                                     sizeof name, &length) != 1) {
    return "";
  }
  return std::string(name, length);
#else
  int nid = NID_undef;
  // The get0 accessors take a non-const key in 1.1.1 and change nothing.
  auto* k = const_cast<EVP_PKEY*>(key);
  if (EVP_PKEY_id(key) == EVP_PKEY_EC) {
    const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(k);
    const EC_GROUP* group = ec != nullptr ? EC_KEY_get0_group(ec) : nullptr;
    if (group != nullptr) nid = EC_GROUP_get_curve_name(group);
  } else if (EVP_PKEY_id(key) == EVP_PKEY_DH) {
    const DH* dh = EVP_PKEY_get0_DH(k);
    if (dh != nullptr) nid = DH_get_nid(dh);
  }
  const char* name = nid != NID_undef ? OBJ_nid2sn(nid) : nullptr;
  return name != nullptr ? name : "";
#endif
}

// Sets the name the peer's certificate must match (a DNS name, or an IP
// address in text). 4.0 deprecated SSL_set1_host for SSL_set1_dnsname and
// SSL_set1_ipaddr, one for each kind of name. Returns false when OpenSSL
// refuses the name.
inline bool SetVerifyHost(SSL* ssl, const char* host) {
#if OPENSSL_VERSION_NUMBER >= 0x40000000L
  unsigned char ip[16];
  if (inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1) {
    return SSL_set1_ipaddr(ssl, host) == 1;
  }
  return SSL_set1_dnsname(ssl, host) == 1;
#else
  return SSL_set1_host(ssl, host) == 1;
#endif
}

// The first commonName of a certificate's subject, or "" when it has none.
// 4.0 deprecated X509_NAME_get_text_by_NID and made the names const.
inline std::string CommonName(const X509* cert) {
  auto* name = X509_get_subject_name(cert);  // const from 4.0 on
  int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (at < 0) return "";
  const ASN1_STRING* data =
      X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<size_t>(ASN1_STRING_length(data)));
}

// How many certificates and CRLs a store holds. 3.3 added the locked copy
// X509_STORE_get1_objects, and 4.0 deprecated the unlocked get0.
inline int StoreObjectCount(X509_STORE* store) {
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get1_objects(store);
  int count = sk_X509_OBJECT_num(objects);
  sk_X509_OBJECT_pop_free(objects, X509_OBJECT_free);
  return count;
#else
  return sk_X509_OBJECT_num(X509_STORE_get0_objects(store));
#endif
}

}  // namespace tlsim::tls

// Names for OpenSSL's numbers, as tlsim prints and parses them. The TLS
// protocol's own names (alerts, handshake and content types, versions,
// SSL_get_error values) live in lib/proto/names.h; only the X509 verify
// results, whose numbers are OpenSSL's, are named here.
//
//   tls::VerifyResultName(SSL_get_verify_result(ssl))  // "X509_V_OK"
#pragma once

#include <openssl/evp.h>

#include <string>
#include <vector>

#include "lib/proto/names.h"

namespace tlsim::tls {

// "X509_V_OK", "X509_V_ERR_HOSTNAME_MISMATCH", ...; "X509_V_ERR_<n>" for
// codes without a name here.
std::string VerifyResultName(long result);

// Names of a key's type, the one tlsim prints first, then OpenSSL's other
// names for it: {"P-256", "prime256v1", ...} for an EC key (its curve),
// {"RSA", "rsaEncryption"}, {"RSA-PSS", "rsassaPss"}, {"Ed25519"},
// {"X25519"}, {"DH", "dhKeyAgreement", "ffdhe2048"}, ... . {"none"} for
// nullptr.
std::vector<std::string> KeyTypeNames(EVP_PKEY* key);

// Names of a signature type as SSL_get_peer_signature_type_nid gives it (a
// key type NID): {"RSA"} (PKCS#1 v1.5), {"RSA-PSS"}, {"ECDSA", "EC"},
// {"Ed25519"}, {"Ed448"}, {"DSA"}.
std::vector<std::string> SignatureTypeNames(int nid);

// Names of a digest NID as SSL_get_peer_signature_nid gives it: {"SHA256",
// "sha256"}, ...; {"none"} for NID_undef (EdDSA hashes inside the
// signature).
std::vector<std::string> DigestNames(int nid);

}  // namespace tlsim::tls

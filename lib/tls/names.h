// Names for OpenSSL's numbers, as tlsim prints and parses them.
#pragma once

#include <string>

namespace tlsim::tls {

// "WANT_READ" for SSL_ERROR_WANT_READ ...; "UNKNOWN(n)" otherwise.
std::string SslErrorName(int ssl_error);
// "TLSv1.3" for TLS1_3_VERSION ...; "none" for 0.
std::string VersionName(int version);
// "X509_V_OK", "X509_V_ERR_HOSTNAME_MISMATCH", ...; "X509_V_ERR_<n>" for
// codes without a name here.
std::string VerifyResultName(long result);
// TLS alert descriptions by their RFC names: "handshake_failure".
std::string AlertDescriptionName(int description);
// TLS handshake message types: "ClientHello", ...; "handshake(n)".
std::string HandshakeTypeName(int type);
// TLS record content types: "handshake", "alert", "change_cipher_spec",
// "application_data", ...; "content_type(n)".
std::string ContentTypeName(int type);

}  // namespace tlsim::tls

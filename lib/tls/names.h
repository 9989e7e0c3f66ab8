// Names for OpenSSL's numbers, as tlsim prints and parses them. The TLS
// protocol's own names (alerts, handshake and content types, versions,
// SSL_get_error values) live in lib/proto/names.h; only the X509 verify
// results, whose numbers are OpenSSL's, are named here.
//
//   tls::VerifyResultName(SSL_get_verify_result(ssl))  // "X509_V_OK"
#pragma once

#include <string>

#include "lib/proto/names.h"

namespace tlsim::tls {

// "X509_V_OK", "X509_V_ERR_HOSTNAME_MISMATCH", ...; "X509_V_ERR_<n>" for
// codes without a name here.
std::string VerifyResultName(long result);

}  // namespace tlsim::tls

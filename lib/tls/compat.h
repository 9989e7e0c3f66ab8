// What differs between the OpenSSL series tlsim builds against (1.1.1, 3.0,
// 3.5, 3.6, 4.0), in one place: one function per difference, so the rest of
// tlsim calls these and never tests OPENSSL_VERSION_NUMBER itself.
//
//   int64_t issued = tls::SessionTime(session);   // any series
//   tls::SetSessionTime(session, now);
#pragma once

#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include <cstdint>

namespace tlsim::tls {

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

}  // namespace tlsim::tls

// Hand-made TLS bytes and BIO pair access for the wire's tests.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "lib/wire/link.h"

namespace tlsim::wire::testing {

// A record: type, version 3.3, length, body.
inline std::string Record(int type, const std::string& body) {
  std::string r;
  r += static_cast<char>(type);
  r += '\x03';
  r += '\x03';
  r += static_cast<char>(body.size() >> 8);
  r += static_cast<char>(body.size() & 0xff);
  return r + body;
}

// A handshake message: type, 24-bit length, body.
inline std::string Message(int type, const std::string& body) {
  std::string m;
  m += static_cast<char>(type);
  m += '\0';
  m += static_cast<char>(body.size() >> 8);
  m += static_cast<char>(body.size() & 0xff);
  return m + body;
}

// What the SSL side of a link has been given.
inline std::string ReadSslSide(Link& link) {
  std::string out;
  char buf[256];
  int n;
  while ((n = BIO_read(link.ssl_bio(), buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Writes `bytes` as the SSL would, all at once.
inline void WriteSslSide(Link& link, const std::string& bytes) {
  REQUIRE(
      BIO_write(link.ssl_bio(), bytes.data(), static_cast<int>(bytes.size())) ==
      static_cast<int>(bytes.size()));
}

}  // namespace tlsim::wire::testing

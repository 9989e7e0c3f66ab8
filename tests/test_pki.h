// Certificate specs and endpoint settings for the tls layer's tests: one
// validity window for all, the verification time inside it, and a client
// and a server that trust "root" and present "server.test".
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <utility>

#include "lib/tls/endpoint_config.h"
#include "lib/tls/pki.h"

namespace tlsim::tls::testing {

inline constexpr int64_t kNotBefore = 1767225600;  // 2026-01-01T00:00:00Z
inline constexpr int64_t kNotAfter = 1798761600;   // 2027-01-01T00:00:00Z
inline constexpr time_t kNow = 1780272000;         // 2026-06-01T00:00:00Z

// A certificate valid from kNotBefore to kNotAfter; an empty issuer makes a
// self-signed root.
inline CertSpec Spec(std::string name, bool is_ca, std::string issuer) {
  CertSpec spec;
  spec.name = std::move(name);
  spec.is_ca = is_ca;
  spec.issuer = std::move(issuer);
  spec.not_before = kNotBefore;
  spec.not_after = kNotAfter;
  return spec;
}

// A client that verifies server.test against root.
inline EndpointConfig Client() {
  EndpointConfig config;
  config.verify = VerifyMode::kPeer;
  config.trust = {"root"};
  config.server_name = "server.test";
  config.verify_host = "server.test";
  return config;
}

// A server presenting server.test.
inline EndpointConfig Server() {
  EndpointConfig config;
  config.is_server = true;
  config.cert = {"server.test"};
  return config;
}

}  // namespace tlsim::tls::testing

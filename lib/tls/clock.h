// The scenario clock, as OpenSSL sees it. OpenSSL has no clock callback:
// every time check of libssl (a session's time and timeout, a TLS 1.3
// ticket's age on both sides, the session cache) reads time(NULL) up to
// 3.1, and gettimeofday() (through ossl_time_now) from 3.2 on. tlsim
// defines both itself (clock.cc): inside a ClockScope on this thread they
// return the scenario clock (to the second, no microseconds); outside one,
// the wall clock as libc's do. So the obfuscated ticket age a TLS 1.3 client
// sends, and every lifetime OpenSSL checks, follow the scenario's clock to the
// second.
//
//   {
//     tls::ClockScope scope(1767225600);   // 2026-01-01T00:00:00Z
//     SSL_connect(ssl);                    // OpenSSL's time(NULL) is that
//   }
//
// Certificate verification does not read time() here: tlsim sets each SSL's
// verification time (X509_VERIFY_PARAM_set_time) to the same clock.
#pragma once

#include <cstdint>
#include <optional>

namespace tlsim::tls {

// Makes time() return `now` on this thread until destroyed; scopes nest
// (the inner one wins, the outer one is back after it).
class ClockScope {
 public:
  explicit ClockScope(int64_t now);
  ~ClockScope();
  ClockScope(const ClockScope&) = delete;
  ClockScope& operator=(const ClockScope&) = delete;

 private:
  std::optional<int64_t> outer_;
};

// The time a ClockScope on this thread sets, or nullopt outside every one.
std::optional<int64_t> ScenarioNow();

}  // namespace tlsim::tls

// What the OpenSSL series tlsim runs on do differently, as the tests see it:
// one entry per difference, each saying which series does what, as observed
// (3.0.19, 3.5.7, 3.6.3, 4.0.2). A test asks here instead of hard-coding
// 3.0's answer, so that it runs on every series and still fails when the
// running series does something else. Compile-time API differences are
// lib/tls/compat.h's, never this file's.
//
//   CHECK(reason == tests::AlertReason("handshake failure"));
//   const int hello = tests::PerSeries<int>{245, 1471, 1469, 1471}.Here();
//   if (tests::DefaultSeries()) { ... 3.0's full expectations ... }
#pragma once

#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "lib/proto/openssl_series.h"
#include "lib/tls/version.h"

namespace tlsim::tests {

// The series of the libssl this test runs on (REQUIREs a known one).
inline proto::OpensslSeries Series() {
  proto::OpensslSeries series;
  REQUIRE(tls::RunningSeries(&series));
  return series;
}

// True on the system's 3.0, whose answers the tests were first written for.
inline bool DefaultSeries() { return Series() == proto::kDefaultSeries; }

// How OpenSSL_version's text (a trace's "# OpenSSL ..." line) starts on the
// running series: "OpenSSL 3.0.", "OpenSSL 3.5.", ..., "OpenSSL 4.0.".
inline std::string VersionTextPrefix() {
  const std::string name(proto::SeriesName(Series()));
  return "OpenSSL " + name +
         (Series() == proto::OpensslSeries::k1_1_1 ? "" : ".");
}

// The name tlsim gives a golden trace of "NAME.tlsim" on the running series
// (sim/golden.h): "NAME.trace" on 3.0, "NAME.openssl-3.5.trace" on 3.5.
inline std::string GoldenTraceName(const std::string& name) {
  if (DefaultSeries()) return name + ".trace";
  return name + ".openssl-" + std::string(proto::SeriesName(Series())) +
         ".trace";
}

// A value observed on each series, for numbers that differ between them (a
// flight's size, a run count): PerSeries<int>{245, 1471, 1469, 1471}.Here().
template <typename T>
struct PerSeries {
  T openssl_3_0;
  T openssl_3_5;
  T openssl_3_6;
  T openssl_4_0;

  // The value of the series this test runs on (3.0's on 1.1.1).
  [[nodiscard]] T Here() const {
    switch (Series()) {
      case proto::OpensslSeries::k1_1_1:
      case proto::OpensslSeries::k3_0:
        return openssl_3_0;
      case proto::OpensslSeries::k3_5:
        return openssl_3_5;
      case proto::OpensslSeries::k3_6:
        return openssl_3_6;
      case proto::OpensslSeries::k4_0:
        return openssl_4_0;
    }
    return openssl_3_0;
  }
};

// The reason text of the error a side gets when it receives a fatal alert
// with `description` ("handshake failure"). The alerts SSLv3 already had
// (unexpected message, bad record mac, decompression failure, handshake
// failure, no/bad/unsupported/revoked/expired/unknown certificate, illegal
// parameter) read "sslv3 alert X" on 3.0, "ssl/tls alert X" on 3.5 and 3.6,
// "tls alert X" on 4.0; the TLS 1.0 ones ("tlsv1 alert internal error") and
// TLS 1.3 ones ("tlsv13 alert certificate required") read alike everywhere.
inline std::string AlertReason(std::string_view description) {
  static constexpr std::string_view kSslv3[] = {
      "unexpected message",      "bad record mac",      "decompression failure",
      "handshake failure",       "no certificate",      "bad certificate",
      "unsupported certificate", "certificate revoked", "certificate expired",
      "certificate unknown",     "illegal parameter"};
  for (std::string_view old : kSslv3) {
    if (old != description) continue;
    const std::string prefix =
        PerSeries<std::string>{"sslv3", "ssl/tls", "ssl/tls", "tls"}.Here();
    return prefix + " alert " + std::string(description);
  }
  return "tlsv1 alert " + std::string(description);
}

// Whether a client with default groups offers the hybrid X25519MLKEM768 key
// share: no on 3.0 (X25519 only, a TLS 1.3 ClientHello of about 250 to 300
// bytes), yes on 3.5 and later (X25519MLKEM768 and X25519, about 1.2 KB
// more), so that a server with default groups settles on X25519MLKEM768.
inline bool HybridKeyShareByDefault() {
  return Series() >= proto::OpensslSeries::k3_5;
}

// What `expect SIDE peer_tmp_key` observes after a TLS 1.3 handshake on
// X25519MLKEM768 (3.5 and later with default groups; on 3.0 both sides see
// X25519): the server sees the client's share as an "X25519MLKEM768" key;
// the client sees "none", SSL_get_peer_tmp_key having no key for the
// server's encapsulated share.
inline const char* HybridPeerTmpKey(bool client_side) {
  return client_side ? "none" : "X25519MLKEM768";
}

// Whether SSL_CTX_set1_groups_list refuses an empty list: yes on 3.0 (with
// no reason on the error queue), no on 3.5 and later, whose group list
// syntax takes "" as a list of no groups.
inline bool EmptyGroupListRefused() {
  return Series() < proto::OpensslSeries::k3_5;
}

// What follows "OpenSSL refused 'X25519:FOO'" when a group list names an
// unknown group: ": passed invalid argument" on 3.0 (ERR_R_PASSED_INVALID_
// ARGUMENT on the queue); nothing on 3.5 and later, which leave no error.
inline std::string UnknownGroupRefusalReason() {
  return Series() < proto::OpensslSeries::k3_5 ? ": passed invalid argument"
                                               : "";
}

// How many alert descriptions (0..255) SSL_alert_desc_string_long names: 31
// on 3.x (3.0 lacks 86, 109 and 116 there, as tlsim's table has them); 32
// on 4.0, which also names 121 "ECH required" (RFC 9849), an alert tlsim's
// table does not have (it prints "alert(121)").
inline int OpensslNamedAlerts() {
  return Series() >= proto::OpensslSeries::k4_0 ? 32 : 31;
}

// Whether an error left on the thread's queue before an SSL call makes
// SSL_get_error say SSL_ERROR_SSL: yes on 3.x (it reads the queue as it
// finds it), no on 4.0, which only counts errors the call itself raised.
inline bool StaleErrorMisleadsGetError() {
  return Series() < proto::OpensslSeries::k4_0;
}

// Whether a failed read or write on the transport (SSL_ERROR_SYSCALL, a
// reset) is fatal to the SSL: no on 3.x, whose SSL keeps the state it had
// ("before SSL initialization" for an accept that met a reset) and fails a
// later call with SYSCALL and that call's errno again; yes on 4.0, whose
// SSL goes to state "error" and fails every later call with SSL_ERROR_SSL.
inline bool SyscallErrorIsFatal() {
  return Series() >= proto::OpensslSeries::k4_0;
}

// Whether a certificate verifies at its notAfter second itself: no on 3.x
// (X509_cmp_time counts "equal" as "earlier": notAfter exclusive), yes on
// 4.0, which takes notAfter as inclusive as RFC 5280 4.1.2.5 says.
inline bool NotAfterInclusive() {
  return Series() >= proto::OpensslSeries::k4_0;
}

}  // namespace tlsim::tests

// Which OpenSSL this process runs on: its series, for version conditions
// and the matrix of `tlsim run --openssl`, and its exact version, for the
// trace header.
//
//   proto::OpensslSeries s;
//   if (!tls::RunningSeries(&s)) ...   // a release tlsim does not know
//   tls::RunningVersionText();          // "OpenSSL 3.5.7 7 Apr 2026"
#pragma once

#include <string>

#include "lib/proto/openssl_series.h"

namespace tlsim::tls {

// The series of the libssl loaded at run time (not of the headers built
// against). Returns false for a release outside proto::AllSeries().
[[nodiscard]] bool RunningSeries(proto::OpensslSeries* out);

// OpenSSL's own words for the loaded version (OpenSSL_version).
std::string RunningVersionText();

}  // namespace tlsim::tls

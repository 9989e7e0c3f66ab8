// The OpenSSL release series tlsim runs on, in release order: one home for
// the scenario language (`requires openssl >= 3.5`, `if openssl < 3.2`), the
// tls layer (which series is running) and the command line (--openssl).
//
//   proto::OpensslSeries s;
//   if (proto::ParseSeries("3.5", &s)) proto::SeriesName(s);   // "3.5"
//   s >= proto::OpensslSeries::k3_5                            // order
#pragma once

#include <span>
#include <string_view>

namespace tlsim::proto {

// Ordered by release: comparisons (<, >=, ...) compare releases.
enum class OpensslSeries { k1_1_1, k3_0, k3_5, k3_6, k4_0 };

// The series the system's OpenSSL (libssl-dev) gives, and tlsim's default.
inline constexpr OpensslSeries kDefaultSeries = OpensslSeries::k3_0;

// Every series, oldest first.
std::span<const OpensslSeries> AllSeries();

// "1.1.1", "3.0", "3.5", "3.6", "4.0".
std::string_view SeriesName(OpensslSeries series);

// Reads one of the names SeriesName gives. Returns false for any other text.
[[nodiscard]] bool ParseSeries(std::string_view name, OpensslSeries* out);

// The names of every series, comma separated, for error messages.
std::string_view SeriesList();

}  // namespace tlsim::proto

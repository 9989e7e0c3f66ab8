#include "lib/proto/openssl_series.h"

#include <array>
#include <string>
#include <utility>

namespace tlsim::proto {
namespace {

// One row per series: a name is written once, for reading and printing.
constexpr std::array<std::pair<OpensslSeries, std::string_view>, 5> kSeries{{
    {OpensslSeries::k1_1_1, "1.1.1"},
    {OpensslSeries::k3_0, "3.0"},
    {OpensslSeries::k3_5, "3.5"},
    {OpensslSeries::k3_6, "3.6"},
    {OpensslSeries::k4_0, "4.0"},
}};

constexpr std::array<OpensslSeries, kSeries.size()> kAll = [] {
  std::array<OpensslSeries, kSeries.size()> all{};
  for (size_t i = 0; i < kSeries.size(); ++i) all[i] = kSeries[i].first;
  return all;
}();

}  // namespace

std::span<const OpensslSeries> AllSeries() { return kAll; }

std::string_view SeriesName(OpensslSeries series) {
  for (const auto& [s, name] : kSeries) {
    if (s == series) return name;
  }
  return "?";
}

bool ParseSeries(std::string_view name, OpensslSeries* out) {
  for (const auto& [s, n] : kSeries) {
    if (n == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

std::string_view SeriesList() {
  // Made from the table once: the names are written only there.
  static const std::string list = [] {
    std::string text;
    for (const auto& [series, name] : kSeries) {
      text += (text.empty() ? "" : ", ") + std::string(name);
    }
    return text;
  }();
  return list;
}

}  // namespace tlsim::proto

#include "sim/golden.h"

#include <dtl/dtl.hpp>
#include <sstream>
#include <vector>

namespace tlsim::sim {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

std::string GoldenPath(const std::string& scenario_path,
                       const std::string& other_series) {
  const std::string ext = ".tlsim";
  const std::string golden_ext =
      other_series.empty() ? ".trace" : ".openssl-" + other_series + ".trace";
  if (scenario_path.size() > ext.size() &&
      scenario_path.compare(scenario_path.size() - ext.size(), ext.size(),
                            ext) == 0) {
    return scenario_path.substr(0, scenario_path.size() - ext.size()) +
           golden_ext;
  }
  return scenario_path + golden_ext;
}

std::string Comparable(const std::string& trace,
                       const std::string& scenario_path) {
  std::string name = scenario_path.substr(scenario_path.rfind('/') + 1);
  std::string out;
  std::istringstream in(trace);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# OpenSSL ", 0) == 0) continue;
    if (scenario_path.empty()) {
      out += line + "\n";
      continue;
    }
    for (size_t at = line.find(scenario_path); at != std::string::npos;
         at = line.find(scenario_path, at + name.size())) {
      line.replace(at, scenario_path.size(), name);
    }
    out += line + "\n";
  }
  return out;
}

std::string GoldenDiff(const std::string& golden, const std::string& actual,
                       const std::string& golden_name) {
  if (golden == actual) return "";
  dtl::Diff<std::string, std::vector<std::string>> diff(Lines(golden),
                                                        Lines(actual));
  diff.compose();
  diff.composeUnifiedHunks();
  std::ostringstream out;
  out << "--- " << golden_name << " (golden)\n+++ " << golden_name
      << " (this run)\n";
  diff.printUnifiedFormat(out);
  return out.str();
}

}  // namespace tlsim::sim

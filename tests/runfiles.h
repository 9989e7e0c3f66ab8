// Where a test finds the files Bazel gave it, and reading one whole.
//
//   std::string text = tests::ReadAll(tests::Runfiles() / "scenarios/x.tlsim");
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tlsim::tests {

// The test's runfiles tree, as `bazel test` lays it out.
inline std::filesystem::path Runfiles() {
  return std::filesystem::path(std::getenv("TEST_SRCDIR")) /
         std::getenv("TEST_WORKSPACE");
}

// The whole file; empty when it cannot be read.
inline std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace tlsim::tests

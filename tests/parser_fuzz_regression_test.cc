// Every input the parser fuzzer (tools/fuzz/run parser) once broke, and
// every shipped scenario, keeps the fuzzer's properties: what parses prints
// and parses back equal; what does not gives a diagnostic inside the file.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/runfiles.h"
#include "tools/fuzz/parser_check.h"

namespace tlsim {
namespace {

namespace fs = std::filesystem;
using tests::ReadAll;

std::vector<fs::path> FilesUnder(const std::string& folder) {
  fs::path root = fs::path(std::getenv("TEST_SRCDIR")) /
                  std::getenv("TEST_WORKSPACE") / folder;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_CASE("inputs that once broke the parser keep its properties", "[fuzz]") {
  std::vector<fs::path> files = FilesUnder("tests/fuzz_regressions");
  REQUIRE(!files.empty());
  for (const fs::path& file : files) {
    INFO(file.filename().string());
    CHECK(fuzz::CheckParserInput(ReadAll(file)) == "");
  }
}

TEST_CASE("shipped scenarios, the fuzzer's seeds, keep its properties",
          "[fuzz]") {
  for (const fs::path& file : FilesUnder("scenarios")) {
    if (file.extension() != ".tlsim") continue;
    INFO(file.filename().string());
    CHECK(fuzz::CheckParserInput(ReadAll(file)) == "");
  }
}

TEST_CASE("a CRLF line's end is shown where an LF line's is", "[fuzz]") {
  // Once a column past the end of the line shown above the caret.
  CHECK(fuzz::CheckParserInput("client {\r\n  trust = \r\n}\r\n") == "");
  CHECK(fuzz::CheckParserInput("client {\n  trust = \n}\n") == "");
}

}  // namespace
}  // namespace tlsim

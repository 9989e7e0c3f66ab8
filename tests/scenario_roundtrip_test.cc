// parse -> print -> parse is the identity on every shipped scenario file,
// and printing is idempotent.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"

namespace tlsim::scenario {
namespace {

namespace fs = std::filesystem;

// $TEST_SRCDIR/$TEST_WORKSPACE/scenarios, where Bazel puts the files.
fs::path ScenarioDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return {};
  return fs::path(srcdir) / workspace / "scenarios";
}

std::vector<fs::path> ScenarioFiles() {
  std::vector<fs::path> files;
  fs::path dir = ScenarioDir();
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(
           dir, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".tlsim") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_CASE("the scenario files are found in the runfiles", "[scenario]") {
  INFO("looked in " << ScenarioDir());
  CHECK_FALSE(ScenarioFiles().empty());
}

TEST_CASE("every scenario file prints back to an equal scenario",
          "[scenario]") {
  std::vector<fs::path> files = ScenarioFiles();
  REQUIRE_FALSE(files.empty());
  for (const fs::path& path : files) {
    INFO(path.string());
    Scenario first;
    Diagnostic d;
    bool parsed = ParseFile(path.string(), &first, &d);
    INFO(d.Format());
    REQUIRE(parsed);

    std::string printed = Print(first);
    Scenario second;
    bool reparsed = Parse(path.string() + " (printed)", printed, &second, &d);
    INFO(printed);
    INFO(d.Format());
    REQUIRE(reparsed);
    CHECK(second == first);
    CHECK(Print(second) == printed);
  }
}

}  // namespace
}  // namespace tlsim::scenario

// The catalogue in scenarios/README.md names every shipped scenario, and
// every scenario opens with a comment, so that a file added without saying
// what it shows fails the build. The language reference there names every
// setting and option of the registry (lib/scenario/settings.h).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "lib/scenario/settings.h"

namespace {

namespace fs = std::filesystem;

std::string Readme() {
  fs::path root = fs::path(std::getenv("TEST_SRCDIR")) /
                  std::getenv("TEST_WORKSPACE") / "scenarios";
  std::ifstream in(root / "README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  return readme.str();
}

TEST_CASE("every scenario file is in the catalogue", "[catalogue]") {
  fs::path root = fs::path(std::getenv("TEST_SRCDIR")) /
                  std::getenv("TEST_WORKSPACE") / "scenarios";
  std::ifstream in(root / "README.md");
  REQUIRE(in);
  std::stringstream readme;
  readme << in.rdbuf();
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".tlsim") continue;
    ++files;
    std::string name = e.path().lexically_relative(root).string();
    INFO(name);
    CHECK(readme.str().find("`" + name + "`") != std::string::npos);
    // And the file itself opens with a comment saying what it shows.
    std::ifstream scenario(e.path());
    std::string first;
    std::getline(scenario, first);
    CHECK(first.rfind("# ", 0) == 0);
  }
  CHECK(files >= 30);
}

TEST_CASE("every setting and option is in the language reference",
          "[catalogue]") {
  const std::string readme = Readme();
  const size_t begin = readme.find("### `client { ... }` and `server { ... }`");
  const size_t end = readme.find("### Steps", begin);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  const std::string reference = readme.substr(begin, end - begin);
  for (const tlsim::scenario::SettingRow& row : tlsim::scenario::Settings()) {
    INFO(row.name);
    CHECK(reference.find("| `" + std::string(row.name) + "`") !=
          std::string::npos);
  }
  for (const tlsim::scenario::OptionRow& row : tlsim::scenario::Options()) {
    INFO(row.name);
    CHECK(reference.find("`" + std::string(row.name) + "`") !=
          std::string::npos);
  }
}

}  // namespace

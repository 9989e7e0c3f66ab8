// The catalogue in scenarios/README.md names every shipped scenario, and
// every scenario opens with a comment, so that a file added without saying
// what it shows fails the build.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

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

}  // namespace

// Every shipped scenario, run once with its seed (or seed 1), has the
// outcome scenarios/outcomes.txt recorded for it: the same call results,
// drives and wire digests. A refactor that changes behaviour fails here.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/openssl_differences.h"
#include "tests/runfiles.h"
#include "tools/outcomes/recorder.h"
#include "tools/outcomes/table.h"

namespace tlsim {
namespace {

namespace fs = std::filesystem;
using tests::ReadAll;
using tests::Runfiles;

TEST_CASE("every shipped scenario has its recorded outcome", "[outcomes]") {
  std::string text = ReadAll(Runfiles() / outcomes::RecordPath());
  REQUIRE(!text.empty());
  outcomes::Outcomes kept;
  std::string error;
  INFO(error);
  REQUIRE(outcomes::ParseRecord(text, &kept, &error));
  outcomes::Outcomes now;
  REQUIRE(outcomes::RecordTree(Runfiles(), &now, &error));
  REQUIRE(now.size() >= 120);
  std::string report;
  for (const std::string& d : outcomes::Compare(kept, now)) report += d + "\n";
  if (!report.empty()) {
    FAIL(report << "The outcome of a scenario changed. If that is intended, "
                   "rewrite the record and review its diff:\n  "
                << outcomes::UpdateCommand());
  }
  // The file is exactly what --update writes: no hand edits in between.
  CHECK(text == outcomes::Format(kept));
}

TEST_CASE("the catalogue's versions table is what the records say",
          "[outcomes]") {
  std::vector<outcomes::VersionRecord> records;
  std::string error;
  INFO(error);
  REQUIRE(outcomes::ReadRecords(Runfiles().string(), &records, &error));
  REQUIRE(!records.empty());
  CHECK(records[0].first == "3.0");
  std::string readme = ReadAll(Runfiles() / "scenarios/README.md");
  std::string expected;
  REQUIRE(outcomes::ReplaceTable(readme, outcomes::CatalogueTables(records),
                                 &expected));
  if (readme != expected) {
    FAIL(
        "scenarios/README.md's versions table is not what the records say; "
        "rewrite it: bazel run //tools/outcomes -- --table");
  }
}

TEST_CASE("the versions table shows each version's first different result",
          "[outcomes]") {
  outcomes::Outcomes base = {
      {"scenarios/bugs/a.tlsim",
       {"L3 run -> deadlock; client 2 calls", "verdict pass"}},
      {"scenarios/bugs/b.tlsim",
       {"L4 client read 1 -> -1 SYSCALL", "verdict pass"}},
      {"scenarios/x/c.tlsim", {"L5 drive -> done", "verdict pass"}}};
  outcomes::Outcomes other = {
      {"scenarios/bugs/a.tlsim",
       {"L3 run -> deadlock; client 9 calls", "verdict pass"}},
      {"scenarios/bugs/b.tlsim",
       {"L4 client read 1 -> -1 SSL", "verdict fail: L4: expected SYSCALL"}},
      {"scenarios/x/c.tlsim",
       {"L5 drive -> done", "verdict fail: L6: in_flight: expected 7"}}};
  std::string table =
      outcomes::CatalogueTables({{"3.0", base}, {"4.0", other}});
  CHECK(table.find("| a | `L3 run -> deadlock` | as 3.0 |") !=
        std::string::npos);
  CHECK(table.find("| b | `L4 client read 1 -> -1 SYSCALL` | "
                   "`L4 client read 1 -> -1 SSL` |") != std::string::npos);
  // c's calls agree; an expectation stopped 4.0's run after them.
  CHECK(table.find("| x/c | `L5 drive -> done` | stops at "
                   "`L6: in_flight: expected 7` |") != std::string::npos);
}

TEST_CASE("the record names seedless scenarios' override", "[outcomes]") {
  std::vector<std::string> lines;
  std::string error;
  REQUIRE(outcomes::Record("a.tlsim", R"(scenario "t"
client {
}
server {
}
)",
                           &lines, &error));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "seed 1 (override)");
  CHECK(lines[1].rfind("wire main: c>s 0 bytes sha256 ", 0) == 0);
  CHECK(lines[2] == "verdict pass");
}

TEST_CASE("a record keeps calls, drives, digests and the verdict",
          "[outcomes]") {
  std::vector<std::string> lines;
  std::string error;
  INFO(error);
  REQUIRE(outcomes::Record("b.tlsim", R"(scenario "t"
seed 7
pki {
  ca root
  leaf server.test issuer=root
}
client {
  trust = root
}
server {
  cert = server.test
}
client connect -> -1 WANT_READ
drive deliver=all -> done
server read 10 -> -1 WANT_WRITE
)",
                           &lines, &error));
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "seed 7");
  CHECK(lines[1] == "L13 client connect -> -1 WANT_READ");
  CHECK(lines[2] ==
        "L14 drive -> done; client 2 calls: 1 x -1 WANT_READ, 1 x 1 NONE; "
        "server 2 calls: 1 x -1 WANT_READ, 1 x 1 NONE");
  CHECK(lines[3] == "L15 server read 10 -> -1 WANT_READ");
  CHECK(lines[4].rfind("wire main: c>s ", 0) == 0);
  CHECK(lines[5] ==
        "verdict fail: L15: server read 10: expected WANT_WRITE, observed -1 "
        "WANT_READ");
}

TEST_CASE("a new scenario, a lost one and a changed line all differ",
          "[outcomes]") {
  outcomes::Outcomes kept = {
      {"scenarios/a.tlsim", {"seed 1", "L3 client connect -> 1 NONE"}},
      {"scenarios/gone.tlsim", {"seed 2"}},
  };
  outcomes::Outcomes now = {
      {"scenarios/a.tlsim", {"seed 1", "L3 client connect -> -1 WANT_READ"}},
      {"scenarios/new.tlsim", {"seed 3"}},
  };
  CHECK(outcomes::Compare(kept, kept).empty());
  std::vector<std::string> diffs = outcomes::Compare(kept, now);
  REQUIRE(diffs.size() == 3);
  CHECK(diffs[0] ==
        "scenarios/a.tlsim: line 2 of its record differs\n"
        "  recorded: L3 client connect -> 1 NONE\n"
        "  observed: L3 client connect -> -1 WANT_READ");
  // Each series' own record: outcomes.txt on 3.0, outcomes-openssl-3.5.txt
  // on 3.5, ...
  const std::string record =
      tests::DefaultSeries()
          ? "scenarios/outcomes.txt"
          : "scenarios/outcomes-openssl-" +
                std::string(proto::SeriesName(tests::Series())) + ".txt";
  CHECK(diffs[1] ==
        "scenarios/new.tlsim: a scenario with no record in " + record);
  CHECK(diffs[2] == "scenarios/gone.tlsim: recorded in " + record +
                        ", but no such scenario file");
  now["scenarios/a.tlsim"].pop_back();
  CHECK(outcomes::Compare(kept, {{"scenarios/a.tlsim", {"seed 1"}},
                                 {"scenarios/gone.tlsim", {"seed 2"}}})
            .front() ==
        "scenarios/a.tlsim: line 2 of its record differs\n"
        "  recorded: L3 client connect -> 1 NONE\n"
        "  observed: (nothing)");
}

TEST_CASE("the record file reads back what Format wrote", "[outcomes]") {
  outcomes::Outcomes o = {
      {"scenarios/x.tlsim", {"seed 1 (override)", "verdict pass"}},
      {"scenarios/y/z.tlsim", {"seed 4", "L9 drive -> done", "verdict pass"}},
  };
  outcomes::Outcomes back;
  std::string error;
  REQUIRE(outcomes::ParseRecord(outcomes::Format(o), &back, &error));
  CHECK(back == o);
  CHECK_FALSE(outcomes::ParseRecord("  stray line\n", &back, &error));
  CHECK(error ==
        "line 1: expected 'scenario PATH seed N' or an indented line of its "
        "block");
  CHECK_FALSE(outcomes::ParseRecord(
      "scenario a.tlsim seed 1\nscenario a.tlsim seed 1\n", &back, &error));
  CHECK(error == "line 2: a.tlsim is recorded twice");
}

}  // namespace
}  // namespace tlsim

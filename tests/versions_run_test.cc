// Version conditions where scenarios run: a Session runs the steps of the
// series it runs on and nothing of a scenario `requires` excludes, saying
// so; shrink keeps the conditions and removes a block whole or step by
// step; explore refuses a scenario that does not apply. The expectations
// are written for whichever series this test runs on (it runs again on
// each series built), with explicit other series where one is needed.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "lib/explore/explorer.h"
#include "lib/proto/openssl_series.h"
#include "lib/run/runner.h"
#include "lib/run/series.h"
#include "lib/run/session.h"
#include "lib/run/world.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/versions.h"
#include "lib/shrink/failure.h"
#include "lib/shrink/shrink.h"
#include "lib/tls/version.h"
#include "lib/trace/json.h"
#include "lib/trace/text.h"
#include "tests/parse_helpers.h"

namespace tlsim {
namespace {

using proto::OpensslSeries;
using scenario::MustParse;

OpensslSeries Here() {
  OpensslSeries series;
  REQUIRE(tls::RunningSeries(&series));
  return series;
}

std::string HereName() { return std::string(proto::SeriesName(Here())); }

// A series other than this one.
OpensslSeries Other() {
  return Here() == OpensslSeries::k3_0 ? OpensslSeries::k3_5
                                       : OpensslSeries::k3_0;
}

const char kHandshake[] = R"(seed 1
pki {
  ca root
  leaf server.test issuer=root
}
client {
  versions = TLSv1.3
  verify = peer
  trust = root
  server_name = server.test
}
server {
  versions = TLSv1.3
  cert = server.test
}
)";

TEST_CASE("a scenario requires leaves out runs nothing and says why",
          "[versions]") {
  // Its settings are not even built: a group no series has would be
  // refused.
  const std::string text = "requires openssl != " + HereName() +
                           "\nclient {\n  groups = nosuchgroup\n}\n"
                           "client connect -> 1\n";
  scenario::Scenario s = MustParse(text);
  run::Session session(s, text);
  const std::string why =
      "requires openssl != " + HereName() + "; this is OpenSSL " + HereName();
  CHECK(session.not_applicable() == why);
  scenario::Diagnostic bad;
  REQUIRE(session.Prepare(&bad));
  CHECK(session.done());
  CHECK(session.world().connections.empty());  // nothing was built
  std::ostringstream text_trace, json_trace;
  trace::TextObserver text_observer(&text_trace);
  trace::JsonLinesObserver json_observer(&json_trace);
  session.AddObserver(&text_observer);
  session.AddObserver(&json_observer);
  run::Verdict step = session.Step();  // runs nothing
  CHECK(step.passed);
  run::Verdict v = session.Finish();
  CHECK(v.passed);
  CHECK(v.not_applicable == why);
  CHECK(session.footer().not_applicable == why);
  const std::string trace = text_trace.str();
  INFO(trace);
  CHECK(trace.find("\n# not applicable: " + why + "\n") != std::string::npos);
  CHECK(trace.find("# pass") == std::string::npos);
  CHECK(trace.find("\n#1 ") == std::string::npos);
  CHECK(json_trace.str().find("{\"type\":\"not_applicable\",\"message\":\"" +
                              why + "\"}\n{\"type\":\"end\"") !=
        std::string::npos);

  // The same file where it applies runs, and OpenSSL refuses the group.
  const std::string here = "requires openssl == " + HereName() +
                           "\nclient {\n  groups = nosuchgroup\n}\n"
                           "client connect -> 1\n";
  scenario::Scenario applies = MustParse(here);
  run::Session runs(applies, here);
  CHECK(runs.not_applicable().empty());
  CHECK_FALSE(runs.Prepare(&bad));
  CHECK(bad.message.find("nosuchgroup") != std::string::npos);
}

TEST_CASE("a session runs the steps its series resolves to", "[versions]") {
  // Before any step a client has no version: `none` holds, TLSv1.3 does
  // not. Only this series' branch may run, or the run fails.
  const std::string text = std::string(kHandshake) +
                           "if openssl == " + HereName() +
                           " {\n"
                           "  expect client version = none\n"
                           "} else {\n"
                           "  expect client version = TLSv1.3\n"
                           "}\n"
                           "expect client version = TLSv1.3 if openssl != " +
                           HereName() +
                           "\n"
                           "drive -> done\n"
                           "expect client version = TLSv1.3\n";
  scenario::Scenario s = MustParse(text);
  run::Runner runner(s, text);
  scenario::Diagnostic bad;
  REQUIRE(runner.Prepare(&bad));
  const scenario::Scenario& ran = runner.session().scenario();
  CHECK(ran == scenario::ForSeries(s, Here()));
  REQUIRE(ran.steps.size() == 3);
  CHECK(std::get<scenario::ExpectStep>(ran.steps[0]).pos.line == 17);
  std::ostringstream out;
  trace::TextObserver observer(&out);
  run::Verdict v = runner.Run({&observer});
  INFO(out.str());
  CHECK(v.passed);
  CHECK(v.not_applicable.empty());
  CHECK(out.str().find("#1 L17 expect client version = none: ok") !=
        std::string::npos);
  CHECK(out.str().find("#3 L23 expect client version = TLSv1.3: ok") !=
        std::string::npos);

  // The other series' steps, run here, fail at its first expectation: the
  // test above can fail.
  scenario::Scenario other = scenario::ForSeries(s, Other());
  run::Runner wrong(other, text);
  REQUIRE(wrong.Prepare(&bad));
  run::Verdict w = wrong.Run({});
  CHECK_FALSE(w.passed);
  CHECK(w.line == 19);
}

TEST_CASE("a world is built for resolved steps only", "[versions]") {
  scenario::Scenario s = MustParse("drive -> done if openssl >= 3.0\n");
  run::World world;
  scenario::Diagnostic bad;
  CHECK_FALSE(run::BuildWorld(s, "", &world, &bad));
  CHECK(bad.message.find("not resolved") != std::string::npos);
  scenario::Scenario here;
  std::string not_applicable;
  REQUIRE(run::ResolveHere(s, "", &here, &not_applicable, &bad));
  CHECK(not_applicable.empty());
  CHECK_FALSE(scenario::HasBlocks(here));
}

// The failing scenario the shrink tests start from: the expectation on the
// group fails in whichever branch runs; a one-line block and an `if` block
// before it play no part.
const char kToShrink[] = R"(scenario "blocks to shrink"
seed 1
pki {
  ca root
  leaf server.test issuer=root
}
client {
  versions = TLSv1.3
  verify = peer
  trust = root
  server_name = server.test
}
server {
  versions = TLSv1.3
  cert = server.test
}
expect client version = none if openssl >= 1.1.1
if openssl == 1.1.1 {
  expect client handshake_done = no
} else {
  expect server handshake_done = no
}
drive -> done
if openssl < 3.5 {
  expect client handshake_done = yes
  expect client group = P-256
  expect client version = TLSv1.3
} else {
  expect client handshake_done = yes
  expect client group = P-256
  expect client version = TLSv1.3
}
expect server version = TLSv1.3
)";

TEST_CASE("shrink keeps the conditions around the failed step",
          "[versions][shrink]") {
  scenario::Scenario s = MustParse(kToShrink);
  shrink::Options options;
  shrink::Result r;
  scenario::Diagnostic bad;
  REQUIRE(shrink::Shrink(s, kToShrink, options, &r, &bad) ==
          shrink::Status::kShrunk);
  INFO(r.text);
  for (const std::string& line : r.reductions) UNSCOPED_INFO(line);
  CHECK(r.failure.kind == "expect");
  CHECK(r.failure.how.rfind("client group observed ", 0) == 0);
  const bool early = Here() < OpensslSeries::k3_5;
  CHECK(r.failure.line == (early ? 26 : 30));
  REQUIRE(r.series.has_value());
  CHECK(*r.series == Here());
  CHECK(r.text.rfind("# shrunk on OpenSSL " + HereName() + ": ", 0) == 0);
  // What is left: the drive, and the block around the failed expectation
  // with it alone in its branch; the condition is the file's.
  REQUIRE(r.smallest.steps.size() == 2);
  CHECK(std::holds_alternative<scenario::DriveStep>(r.smallest.steps[0]));
  const auto* block = std::get_if<scenario::IfStep>(&r.smallest.steps[1]);
  REQUIRE(block != nullptr);
  const size_t taken = early ? 0 : 1;
  REQUIRE(block->branches.size() == taken + 1);
  CHECK(block->branches[0].condition.has_value());
  CHECK(scenario::ConditionText(*block->branches[0].condition) ==
        "openssl < 3.5");
  REQUIRE(block->branches[taken].steps.size() == 1);
  const auto& expect =
      std::get<scenario::ExpectStep>(block->branches[taken].steps[0]);
  CHECK(expect.property == scenario::Property::kGroup);
  CHECK(r.after.steps == 2);
  CHECK(r.before.steps == 11);
  // The other branch went in one reduction, the blocks before whole.
  bool pruned = false, whole = false;
  for (const std::string& line : r.reductions) {
    pruned |= line.find(" under conditions that do not hold on OpenSSL " +
                        HereName() + ": ") != std::string::npos;
    whole |= line.find(" 'if' block") != std::string::npos;
  }
  CHECK(pruned);
  CHECK(whole);
  // The text parses, runs and fails the same way at the same step.
  shrink::Failure again;
  REQUIRE(shrink::RunText("shrunk.tlsim", r.text, &again, &bad) ==
          shrink::RunResult::kFailed);
  CHECK(again.SameWay(r.failure));
  CHECK(again.step == 1);
  CHECK(r.shrunk.step == 1);
}

TEST_CASE("a scenario without blocks shrinks with no word of series",
          "[versions][shrink]") {
  const std::string text = std::string(kHandshake) +
                           "drive -> done\n"
                           "expect client version = TLSv1.2\n";
  scenario::Scenario s = MustParse(text);
  shrink::Result r;
  scenario::Diagnostic bad;
  REQUIRE(shrink::Shrink(s, text, {}, &r, &bad) == shrink::Status::kShrunk);
  CHECK_FALSE(r.series.has_value());
  CHECK(r.text.rfind("#", 0) != 0);
}

TEST_CASE("explore runs the run step of the branch its series takes",
          "[versions][explore]") {
  const std::string programs = std::string(kHandshake) +
                               "program client {\n  connect\n}\n"
                               "program server {\n  accept\n}\n";
  explore::Options options;
  options.families = {explore::Family::kOrder};
  options.workers = 1;
  // The run is in this series' branch: it is explored.
  const std::string here = programs + "if openssl == " + HereName() +
                           " {\n  run -> done\n} else {\n  drive -> done\n"
                           "}\n";
  explore::Report report;
  std::string error;
  INFO(error);
  REQUIRE(explore::Explore(MustParse(here), here, options, &report, &error));
  REQUIRE_FALSE(report.runs.empty());
  CHECK(report.runs[0].verdict == "done");
  CHECK(report.violations.empty());
  // In another series' branch only: there is nothing to explore here.
  const std::string elsewhere = programs +
                                "run -> done if openssl != " + HereName() +
                                "\ndrive -> done\n";
  explore::Report none;
  CHECK_FALSE(explore::Explore(MustParse(elsewhere), elsewhere, options, &none,
                               &error));
  CHECK(error.rfind("nothing to explore: the scenario has no `run` step", 0) ==
        0);
}

TEST_CASE("shrink and explore do nothing with a scenario that does not apply",
          "[versions][shrink]") {
  const std::string text =
      "requires openssl != " + HereName() + "\nclient connect -> 1\n";
  scenario::Scenario s = MustParse(text);
  shrink::Result r;
  scenario::Diagnostic bad;
  CHECK(shrink::Shrink(s, text, {}, &r, &bad) ==
        shrink::Status::kNotApplicable);
  CHECK(r.not_applicable == "requires openssl != " + HereName() +
                                "; this is OpenSSL " + HereName());
  shrink::Failure f;
  CHECK(shrink::RunText("t.tlsim", text, &f, &bad) ==
        shrink::RunResult::kNotApplicable);

  explore::Report report;
  std::string error;
  CHECK_FALSE(explore::Explore(s, text, explore::Options(), &report, &error));
  CHECK(error == "not applicable: " + r.not_applicable);
}

}  // namespace
}  // namespace tlsim
